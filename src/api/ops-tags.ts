// Tags of instances: TagResources, UntagResources (also under the misspelt name UnTagResources, which the
// Terraform provider sends), DescribeTags. Tags are stored (migration 003) and also filter DescribeDBInstances.
import { CLIENT_TOKEN, defineOp, OWNER_PARAMS } from './op.js';
import { bool, o, str, strList, tagList } from './shapes.js';

const RESOURCE = {
  RegionId: str('Region, e.g. cn-hangzhou.', { required: true, max: 64 }),
  ResourceType: str('INSTANCE (the only type).', { required: true, enum: ['INSTANCE'], enumIgnoreCase: true }),
  ResourceId: strList('Instance IDs: ResourceId.1, ResourceId.2, ... (at most 50).', { required: true, maxItems: 50, max: 64, tooManyCode: 'NumberExceed.ResourceIds' }),
} as const;

export const tagResources = defineOp({
  name: 'TagResources', group: 'tags', mutates: true,
  summary: 'Adds tags to instances (a key already on an instance gets the new value); at most 20 tags per instance.',
  params: {
    ...RESOURCE,
    Tag: tagList('Tag.N.Key and Tag.N.Value, N from 1 to 20.', { maxItems: 20, max: 128, tooManyCode: 'NumberExceed.Tags' }),
    ...OWNER_PARAMS,
  },
  output: o.obj({}),
  errors: ['NumberExceed.Tags', 'NumberExceed.ResourceIds', 'InvalidTagKey.Malformed', 'Duplicate.TagKey', 'OperationDenied.QuotaExceed', 'InvalidResourceId.NotFound'],
});

const untagParams = {
  ...RESOURCE,
  TagKey: strList('Keys to remove: TagKey.1, TagKey.2, ... (at most 20).', { maxItems: 20, max: 128, tooManyCode: 'NumberExceed.Tags' }),
  All: bool('Remove every tag of the instances (when no TagKey is given).'),
  ...OWNER_PARAMS,
} as const;

export const untagResources = defineOp({
  name: 'UntagResources', group: 'tags', mutates: true,
  summary: 'Removes the named tag keys (or, with All=true, every tag) from instances; keys an instance lacks are ignored.',
  params: untagParams,
  output: o.obj({}),
  errors: ['NumberExceed.Tags', 'NumberExceed.ResourceIds', 'InvalidResourceId.NotFound'],
});

/** The Terraform provider calls UntagResources as `UnTagResources`; localrds answers both names alike. */
export const unTagResources = defineOp({
  ...untagResources, name: 'UnTagResources', aliasOf: 'UntagResources', summary: 'UntagResources under the spelling the Terraform provider sends.',
});

export const describeTags = defineOp({
  name: 'DescribeTags', group: 'tags', mutates: false, instanceParam: 'DBInstanceId',
  summary: 'Lists tags with the instances that carry each: of one instance, or of every instance in the region; Tags filters by key and value.',
  params: {
    RegionId: str('Region, e.g. cn-hangzhou.', { required: true, max: 64 }),
    DBInstanceId: str('Only this instance.', { max: 64 }),
    Tags: str('JSON object of key/value pairs, e.g. {"env":"test"}: only these tags.', { max: 4096, invalidCode: 'Tag.InvalidTagsParameter' }),
    ResourceType: str('INSTANCE (default).', { enum: ['INSTANCE'], enumIgnoreCase: true }),
    ClientToken: CLIENT_TOKEN, proxyId: str('Deprecated; accepted, ignored.'),
    ...OWNER_PARAMS,
  },
  output: o.obj({
    Items: o.obj({ TagInfos: o.list(o.obj({ TagKey: o.str(), TagValue: o.str(), DBInstanceIds: o.obj({ DBInstanceIds: o.list(o.str()) }) })) }),
  }),
  errors: ['InvalidDBInstanceId.NotFound', 'Tag.InvalidTagsParameter'],
  // The metadata documents this operation's not-found answer as 404.
  errorStatus: { 'InvalidDBInstanceId.NotFound': 404 },
});
