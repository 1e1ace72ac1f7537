import type { Section } from '../lib/report.js';

export async function dataPlaneSection(): Promise<Section> {
  throw new Error('not written yet');
}
