// Handlers for tags: TagResources, UntagResources (and UnTagResources), DescribeTags, and the tags given to
// CreateDBInstance. Each instance's tags live in the store (instance_tags), scoped by account.
import type { InstanceId, InstanceRecord } from '../domain/types.js';
import { MAX_TAGS_PER_INSTANCE, parseTagsFilter, tagKeyProblem } from '../domain/tags.js';
import type { TagPair } from '../api/shapes.js';
import { ApiError } from '../errors/api-error.js';
import { requireInstance, type Handler, type HandlerContext } from './context.js';

async function resources(ctx: HandlerContext, ids: string[]): Promise<InstanceRecord[]> {
  const out: InstanceRecord[] = [];
  for (const id of new Set(ids)) {
    // Locked, so that two concurrent calls cannot both stay under the per-instance quota and together pass it.
    const inst = await ctx.repos.instances.get(ctx.accountId, id as InstanceId, { forUpdate: true });
    if (!inst) throw new ApiError('InvalidResourceId.NotFound');
    out.push(inst);
  }
  return out;
}

/** Checks the keys and adds the tags to one instance (a key it already has gets the new value). */
export async function addTags(ctx: HandlerContext, inst: InstanceRecord, tags: readonly TagPair[]): Promise<void> {
  const seen = new Set<string>();
  for (const t of tags) {
    const problem = tagKeyProblem(t.Key);
    if (problem) throw new ApiError('InvalidTagKey.Malformed', { detail: problem });
    if (seen.has(t.Key)) throw new ApiError('Duplicate.TagKey');
    seen.add(t.Key);
  }
  const current = await ctx.repos.tags.list(ctx.accountId, [inst.id]);
  const keys = new Set([...current.map((t) => t.key), ...seen]);
  if (keys.size > MAX_TAGS_PER_INSTANCE) throw new ApiError('OperationDenied.QuotaExceed');
  for (const t of tags) await ctx.repos.tags.put(ctx.accountId, { instanceId: inst.id, key: t.Key, value: t.Value });
}

export const tagResources: Handler<'TagResources'> = async (ctx, input) => {
  for (const inst of await resources(ctx, input.ResourceId)) await addTags(ctx, inst, input.Tag ?? []);
  return {};
};

export const untagResources: Handler<'UntagResources'> = async (ctx, input) => {
  for (const inst of await resources(ctx, input.ResourceId)) {
    if (input.TagKey !== undefined) await ctx.repos.tags.delete(ctx.accountId, inst.id, input.TagKey);
    else if (input.All) await ctx.repos.tags.delete(ctx.accountId, inst.id);
  }
  return {};
};

export const describeTags: Handler<'DescribeTags'> = async (ctx, input) => {
  const filter = input.Tags === undefined ? undefined : parseTagsFilter(input.Tags);
  if (input.Tags !== undefined && !filter) throw new ApiError('Tag.InvalidTagsParameter');
  let tags;
  if (input.DBInstanceId !== undefined) {
    const inst = await requireInstance(ctx, input.DBInstanceId);
    tags = await ctx.repos.tags.list(ctx.accountId, [inst.id]);
  } else {
    const inRegion = await ctx.repos.instances.list(ctx.accountId, { regionId: input.RegionId }, 0, 1_000_000);
    const ids = new Set<string>(inRegion.items.map((i) => i.id));
    tags = (await ctx.repos.tags.listByAccount(ctx.accountId)).filter((t) => ids.has(t.instanceId));
  }
  if (filter) tags = tags.filter((t) => filter.some((f) => f.key === t.key && f.value === t.value));
  // One entry per key and value, with the instances that carry it.
  const groups = new Map<string, { TagKey: string; TagValue: string; DBInstanceIds: { DBInstanceIds: string[] } }>();
  for (const t of tags) {
    const k = JSON.stringify([t.key, t.value]);
    const g = groups.get(k) ?? { TagKey: t.key, TagValue: t.value, DBInstanceIds: { DBInstanceIds: [] } };
    g.DBInstanceIds.DBInstanceIds.push(t.instanceId);
    groups.set(k, g);
  }
  return { Items: { TagInfos: [...groups.values()] } };
};
