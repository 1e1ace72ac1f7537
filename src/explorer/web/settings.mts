// What the explorer remembers in localStorage: the AccessKey pair it signs with, the default signature
// version and the region the live view lists. Nothing else leaves the page.
import type { SignatureScheme } from '../signer.js';

export interface Settings {
  accessKeyId: string;
  accessKeySecret: string;
  scheme: SignatureScheme;
  regionId: string;
}

const KEY = 'localrds.explorer.settings';
const listeners = new Set<(s: Settings) => void>();
let current: Settings;

export function initSettings(defaults: { accessKeyId: string; accessKeySecret: string }): Settings {
  let saved: Partial<Settings> = {};
  try {
    saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>;
  } catch { saved = {}; }
  current = {
    accessKeyId: typeof saved.accessKeyId === 'string' ? saved.accessKeyId : defaults.accessKeyId,
    accessKeySecret: typeof saved.accessKeySecret === 'string' ? saved.accessKeySecret : defaults.accessKeySecret,
    scheme: saved.scheme === 'V1' ? 'V1' : 'V3',
    regionId: typeof saved.regionId === 'string' && saved.regionId !== '' ? saved.regionId : 'cn-hangzhou',
  };
  return current;
}

export function settings(): Settings {
  return current;
}

export function updateSettings(patch: Partial<Settings>): void {
  current = { ...current, ...patch };
  try {
    localStorage.setItem(KEY, JSON.stringify(current));
  } catch { /* private mode: keep it for this page only */ }
  for (const l of listeners) l(current);
}

export function onSettings(l: (s: Settings) => void): void {
  listeners.add(l);
}
