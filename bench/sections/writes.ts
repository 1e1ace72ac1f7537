import type { Section } from '../lib/report.js';

export async function writesSection(): Promise<Section> {
  throw new Error('not written yet');
}
