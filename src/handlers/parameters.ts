// Handlers for DescribeParameters (the instance server's running values) and DescribeParameterTemplates.
import { ENGINE_PARAMETERS } from '../domain/parameters.js';
import { ENGINE_VERSIONS } from '../domain/naming.js';
import type { Engine } from '../domain/types.js';
import { ApiError } from '../errors/api-error.js';
import { requireInstance, type Handler } from './context.js';

export const describeParameters: Handler<'DescribeParameters'> = async (ctx, input) => {
  const inst = await requireInstance(ctx, input.DBInstanceId);
  const specs = ENGINE_PARAMETERS[inst.engine];
  const values = await ctx.engineParameters(inst, specs.map((p) => p.name));
  return {
    Engine: inst.engine, EngineVersion: inst.engineVersion,
    // No parameter template is ever applied (ParamGroupId must stay empty, or Terraform sees a db_param_group_id).
    ParamGroupInfo: { ParamGroupId: '', ParameterGroupName: '', ParameterGroupDesc: '', ParameterGroupType: '' },
    ConfigParameters: { DBInstanceParameter: [] },
    RunningParameters: {
      DBInstanceParameter: specs.filter((p) => values[p.name] !== undefined)
        .map((p) => ({ ParameterName: p.name, ParameterValue: values[p.name] as string, ParameterDescription: p.description })),
    },
  };
};

export const describeParameterTemplates: Handler<'DescribeParameterTemplates'> = async (ctx, input) => {
  if (input.DBInstanceId !== undefined) await requireInstance(ctx, input.DBInstanceId);
  const engine = input.Engine as Engine;
  const version = ENGINE_VERSIONS[engine].find((v) => v === input.EngineVersion || v === `${input.EngineVersion}.0`);
  if (!version) throw new ApiError('InvalidEngineVersion.Malformed');
  const records = ENGINE_PARAMETERS[engine].map((p) => ({
    ParameterName: p.name, ParameterValue: p.default(version), ParameterDescription: p.description, CheckingCode: p.checking,
    ForceModify: 'true', ForceRestart: p.restart ? 'true' : 'false',
  }));
  return { Engine: engine, EngineVersion: version, ParameterCount: String(records.length), Parameters: { TemplateRecord: records } };
};
