// Whitelist (security IP) lists: validation and the Cover / Append / Delete modes of ModifySecurityIps.
import { parseCidr } from './ipv4.js';

export const MAX_ENTRIES_PER_INSTANCE = 1000;
export const MAX_GROUPS_PER_INSTANCE = 200;
/** The real service's default whitelist: it admits no one. */
export const DENY_ALL = '127.0.0.1';

export type ListProblem = 'format' | 'duplicate';

/** Splits and validates a comma-separated list; returns the entries or the first problem. */
export function parseIpList(text: string): { entries: string[] } | { problem: ListProblem; entry: string } {
  const entries = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (entries.length === 0 || entries.length > MAX_ENTRIES_PER_INSTANCE) return { problem: 'format', entry: '' };
  const seen = new Set<string>();
  for (const e of entries) {
    const c = parseCidr(e);
    if (!c || (e.includes('/') && c.bits === 0 && e !== '0.0.0.0/0')) return { problem: 'format', entry: e };
    if (seen.has(e)) return { problem: 'duplicate', entry: e };
    seen.add(e);
  }
  return { entries };
}

export type ModifyMode = 'Cover' | 'Append' | 'Delete';

export function applyMode(current: readonly string[], given: readonly string[], mode: ModifyMode): string[] {
  switch (mode) {
    case 'Cover': return [...given];
    case 'Append': return [...current, ...given.filter((g) => !current.includes(g))];
    case 'Delete': return current.filter((c) => !given.includes(c));
  }
}

/** Group names: 2 to 120 characters of lowercase letters, digits and underscores, starting with a letter. */
export function normaliseGroupName(name: string | undefined): string | undefined {
  const n = (name ?? 'default').toLowerCase();
  return /^[a-z][a-z0-9_]{1,119}$/.test(n) ? n : undefined;
}
