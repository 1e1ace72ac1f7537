// Tag rules shared by TagResources, CreateDBInstance's Tag.N and the Tags JSON filters.

/** Most tags one instance carries (TagResources' documented quota). */
export const MAX_TAGS_PER_INSTANCE = 20;

/** Why a key is refused, or undefined. Keys starting with aliyun or acs: are reserved for the cloud's own tags. */
export function tagKeyProblem(key: string): string | undefined {
  if (key.trim() === '') return 'The key is blank.';
  if (/^(aliyun|acs:)/i.test(key)) return 'Keys may not start with aliyun or acs:.';
  return undefined;
}

/**
 * The `Tags` filter of DescribeDBInstances and DescribeTags: a JSON object of string keys to string values,
 * e.g. {"env":"test"} (the format the Terraform data source sends). Undefined when it is not one.
 */
export function parseTagsFilter(text: string, maxPairs = 20): Array<{ key: string; value: string }> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const pairs = Object.entries(parsed as Record<string, unknown>);
  if (pairs.length > maxPairs || pairs.some(([, v]) => typeof v !== 'string')) return undefined;
  return pairs.map(([key, value]) => ({ key, value: value as string }));
}
