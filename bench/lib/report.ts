// The shape every section returns and the Markdown it becomes (docs/benchmarks.md and the console).

export type Verdict = 'met' | 'missed' | 'n/a';

export interface Row {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: Verdict;
  /** What bounds the figure, CPU of the processes involved, and the like. */
  note?: string;
}

export interface Section {
  title: string;
  /** How it was measured, in a sentence or two. */
  method: string;
  rows: Row[];
  notes: string[];
  /** Seconds the section took. */
  seconds?: number;
}

export function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'n/a' : ok ? 'met' : 'missed';
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function sectionMarkdown(s: Section): string {
  const lines = [`## ${s.title}`, '', s.method, ''];
  lines.push('| Figure | Value | Baseline | Ratio | Target | Result | Notes |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const r of s.rows) {
    const result = r.verdict === 'met' ? 'met' : r.verdict === 'missed' ? '**MISSED**' : '-';
    lines.push(`| ${[r.figure, r.value, r.baseline, r.ratio, r.target, result, r.note ?? ''].map(cell).join(' | ')} |`);
  }
  if (s.notes.length > 0) lines.push('', ...s.notes.map((n) => `- ${n}`));
  if (s.seconds !== undefined) lines.push('', `_Section time: ${s.seconds.toFixed(0)} s._`);
  return lines.join('\n') + '\n';
}

/** A failed section still appears, with the error, so that the document never silently omits one. */
export function failedSection(title: string, e: unknown): Section {
  const msg = e instanceof Error ? e.message : String(e);
  return {
    title, method: 'The section failed before it produced figures.',
    rows: [{ figure: 'section', value: 'failed', baseline: '-', ratio: '-', target: '-', verdict: 'missed', note: msg.slice(0, 400) }],
    notes: [],
  };
}
