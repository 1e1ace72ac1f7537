// Handlers for changes to an instance: description, class and storage (with the DBInstanceClassChanging state the
// settler turns back into Running), billing and engine version (refused where localrds cannot emulate them), and
// DescribeTasks, which shows the change in progress.
import { createHash } from 'node:crypto';
import { ENGINE_VERSIONS, newOrderId } from '../domain/naming.js';
import type { InstanceRecord, InstanceStatus } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import type { InstancePatch } from '../store/types.js';
import { isoSeconds, requireInstance, requireRunning, type Handler } from './context.js';

export const modifyDBInstanceDescription: Handler<'ModifyDBInstanceDescription'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  await ctx.repos.instances.update(ctx.accountId, inst.id, { description: input.DBInstanceDescription });
  return {};
};

function sameVersion(inst: InstanceRecord, v: string): boolean {
  return ENGINE_VERSIONS[inst.engine].some((known) => known === inst.engineVersion && (known === v || known === `${v}.0`));
}

export const modifyDBInstanceSpec: Handler<'ModifyDBInstanceSpec'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (input.PayType !== undefined && input.PayType !== inst.payType) throw new ApiError('InvalidOrderCharge.NotSupport');
  if (input.AllowMajorVersionUpgrade || (input.EngineVersion !== undefined && !sameVersion(inst, input.EngineVersion))) {
    throw new ApiError('IncorrectEngineVersion', { detail: `The instance stays on ${inst.engine} ${inst.engineVersion}.` });
  }
  if (input.Category !== undefined && input.Category !== inst.category) {
    throw new ApiError('UnsupportedParameter', { name: 'Category', detail: `localrds does not change the category (${inst.category}).` });
  }
  if (input.DBInstanceClass === undefined && input.DBInstanceStorage === undefined && input.DBInstanceStorageType === undefined) {
    throw new ApiError('MissingParameter', { name: 'DBInstanceClass' });
  }
  requireRunning(inst);
  if (input.DBInstanceStorage !== undefined && input.DBInstanceStorage < inst.storageGb) {
    throw new ApiError('UnsupportedReduceDiskSize', { detail: `It has ${inst.storageGb} GB.` });
  }
  const patch: InstancePatch = {
    ...(input.DBInstanceClass !== undefined ? { instanceClass: input.DBInstanceClass.trim() } : {}),
    ...(input.DBInstanceStorage !== undefined ? { storageGb: input.DBInstanceStorage } : {}),
    ...(input.DBInstanceStorageType !== undefined ? { storageType: input.DBInstanceStorageType } : {}),
  };
  const changes = (patch.instanceClass !== undefined && patch.instanceClass !== inst.instanceClass)
    || (patch.storageGb !== undefined && patch.storageGb !== inst.storageGb)
    || (patch.storageType !== undefined && patch.storageType !== inst.storageType);
  if (changes) {
    // The state the real service shows while it changes the class or storage; the settler ends it (after
    // --spec-change-ms and once every endpoint is served), as it ends Creating.
    await ctx.repos.instances.update(ctx.accountId, inst.id, { ...patch, status: 'DBInstanceClassChanging', statusUntil: ctx.now + ctx.config.specChangeMs });
    ctx.touch(inst.id);
  }
  return { DBInstanceId: inst.id, OrderId: Number(newOrderId()) };
};

export const modifyDBInstanceDeletionProtection: Handler<'ModifyDBInstanceDeletionProtection'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  await ctx.repos.instances.update(ctx.accountId, inst.id, { deletionProtection: input.DeletionProtection });
  return {};
};

export const transformDBInstancePayType: Handler<'TransformDBInstancePayType'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (input.PayType === 'Prepaid') throw new ApiError('InvalidOrderCharge.NotSupport');
  requireRunning(inst);
  if (inst.payType !== 'Postpaid') await ctx.repos.instances.update(ctx.accountId, inst.id, { payType: 'Postpaid' });
  return { DBInstanceId: inst.id, OrderId: Number(newOrderId()), ChargeType: 'POSTPAY', ExpiredTime: '' };
};

export const upgradeDBInstanceEngineVersion: Handler<'UpgradeDBInstanceEngineVersion'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId, true);
  if (!sameVersion(inst, input.EngineVersion)) {
    throw new ApiError('IncorrectEngineVersion', { detail: `The instance stays on ${inst.engine} ${inst.engineVersion}.` });
  }
  return { TaskId: '' };
};

export const upgradeDBInstanceMajorVersionPrecheck: Handler<'UpgradeDBInstanceMajorVersionPrecheck'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  throw new ApiError('IncorrectEngineVersion', { detail: `The instance stays on ${inst.engine} ${inst.engineVersion}.` });
};

export const describeUpgradeMajorVersionPrecheckTask: Handler<'DescribeUpgradeMajorVersionPrecheckTask'> = async (ctx, input) => {
  await requireInstance(ctx, input.DBInstanceId);
  return { PageNumber: input.PageNumber ?? 1, PageRecordCount: 0, TotalRecordCount: 0, Items: [] };
};

export const upgradeDBInstanceMajorVersion: Handler<'UpgradeDBInstanceMajorVersion'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId ?? '');
  throw new ApiError('IncorrectEngineVersion', { detail: `The instance stays on ${inst.engine} ${inst.engineVersion}.` });
};

/** The task behind each transitional status (localrds keeps no task history, only the change in progress). */
const TASK_OF: Partial<Record<InstanceStatus, string>> = {
  Creating: 'CreateDBInstance',
  DBInstanceClassChanging: 'ModifyDBInstanceSpec',
  DBInstanceNetTypeChanging: 'ModifyDBInstanceNetType',
};

export const describeTasks: Handler<'DescribeTasks'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const action = TASK_OF[inst.status];
  const tasks = action === undefined ? [] : [{
    TaskId: String(createHash('sha256').update(`${inst.id}/${inst.status}/${inst.statusUntil}`).digest().readUInt32BE(0)),
    TaskAction: action, Status: 'Processing', Progress: '0', Remain: Math.max(0, Math.ceil((inst.statusUntil - ctx.now) / 1000)),
    BeginTime: '', ExpectedFinishTime: inst.statusUntil > 0 ? isoSeconds(inst.statusUntil) : '', FinishTime: '',
    CurrentStepName: '', StepsInfo: '', StepProgressInfo: '', ProgressInfo: '', TaskErrorCode: '', TaskErrorMessage: '', DBName: '',
  }].filter((t) => (input.Status === undefined || t.Status === input.Status) && (input.TaskAction === undefined || t.TaskAction === input.TaskAction));
  const size = input.PageSize ?? 30;
  const number = input.PageNumber ?? 1;
  const page = tasks.slice((number - 1) * size, number * size);
  return { PageNumber: number, PageRecordCount: page.length, TotalRecordCount: tasks.length, Items: { TaskProgressInfo: page } };
};
