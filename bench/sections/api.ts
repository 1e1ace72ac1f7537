// Section 1, API: a V3-signed DescribeDBInstanceNetInfo at 1, 16 and 64 connections against localrds, against a
// bare node:http server answering a constant body of the same size (the ceiling), and against Azurite answering
// a SharedKey-signed Get Container Properties (the peer emulator). Servers on SERVER_CORE, generator on LOAD_CORE.
import { join } from 'node:path';
import type { LoadSpec } from '../loadgen.js';
import { startLocalrdsProcess } from '../lib/localrds-process.js';
import { DIST_BENCH, ROOT, SERVER_CORE, runLoadgen, spawnPinned, stop, waitForOutput, type Child, type MeasuredLoad } from '../lib/proc.js';
import { call, createRunningInstance, send } from '../lib/rds-client.js';
import { fmt } from '../lib/stats.js';
import { signSharedKey, signV3 } from '../lib/sign.js';
import { verdict, type Row, type Section } from '../lib/report.js';

const CONNECTIONS = [1, 16, 64];
// Five, so that the median of a point is not the luck of one minute on a shared machine (with three, one
// noisy repetition of localrds or of the baseline could decide a row).
const REPS = 5;
const WARMUP_MS = 700;
const DURATION_MS = 3000;
/** A process above this share of its core is the bottleneck. */
export const GENERATOR_BOUND_PERCENT = 90;

type Spec = Omit<LoadSpec, 'connections' | 'warmupMs' | 'durationMs'>;
interface Target { name: string; pid: number; spec: Spec; runs: Map<number, MeasuredLoad[]> }

/** The run with the median request rate of the repetitions at one connection count. */
function medianRun(t: Target, c: number): MeasuredLoad {
  const runs = [...(t.runs.get(c) ?? [])].sort((a, b) => a.rps - b.rps);
  const m = runs[Math.floor(runs.length / 2)];
  if (!m) throw new Error(`no runs for ${t.name} at ${c}`);
  // Errors of every repetition count, not only of the median one.
  return { ...m, errors: runs.reduce((n, r) => n + r.errors, 0), firstErrorBody: runs.find((r) => r.errors > 0)?.firstErrorBody ?? '' };
}

function bound(r: MeasuredLoad): string {
  const gen = r.cpuPercent >= GENERATOR_BOUND_PERCENT;
  const srv = (r.serverCpuPercent ?? 0) >= GENERATOR_BOUND_PERCENT;
  const who = gen && !srv ? 'bounded by the generator' : srv ? 'bounded by the server CPU' : 'neither CPU saturated (round-trip bound)';
  return `server CPU ${fmt(r.serverCpuPercent ?? NaN)}%, generator CPU ${fmt(r.cpuPercent)}%: ${who}`;
}

function errorsNote(r: MeasuredLoad): string {
  return r.errors === 0 ? '' : `; ${r.errors} non-200 (${JSON.stringify(r.statuses)}): ${r.firstErrorBody.slice(0, 160)}`;
}

function spread(t: Target, c: number): string {
  return (t.runs.get(c) ?? []).map((r) => fmt(r.rps)).join(', ');
}

export async function apiSection(): Promise<Section> {
  const notes: string[] = [];
  // All three servers run side by side (idle unless loaded) and the measurements take turns, repetition by
  // repetition, so that a noisy minute on a shared machine falls on all of them alike.
  const rds = await startLocalrdsProcess();
  const children: Child[] = [];
  try {
    const id = await createRunningInstance(rds);
    await call(rds, 'AllocateInstancePublicConnection', { DBInstanceId: id, ConnectionStringPrefix: `${id}-pub`, Port: '3306' });
    const sample = await send(rds.host, rds.port, signV3({
      host: `${rds.host}:${rds.port}`, action: 'DescribeDBInstanceNetInfo', params: { DBInstanceId: id }, creds: rds.creds,
    }));
    if (sample.status !== 200) throw new Error(`DescribeDBInstanceNetInfo: ${sample.status} ${sample.body}`);
    const bodySize = Buffer.byteLength(sample.body);

    const bareChild = spawnPinned(SERVER_CORE, process.execPath, [join(DIST_BENCH, 'bare-server.js'), 'http', String(bodySize)]);
    children.push(bareChild);
    const barePort = Number((await waitForOutput(bareChild, /ready (\d+)/))[1]);

    const azChild = spawnPinned(SERVER_CORE, process.execPath, [
      join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
      '--inMemoryPersistence', '--silent', '--blobHost', '127.0.0.1', '--blobPort', '0', '--skipApiVersionCheck', '--disableTelemetry', '--disableProductStyleUrl',
    ], { cwd: ROOT });
    children.push(azChild);
    const azPort = Number((await waitForOutput(azChild, /listens on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const created = await send('127.0.0.1', azPort, signSharedKey({ host: `127.0.0.1:${azPort}`, method: 'PUT', container: 'bench', query: { restype: 'container' } }));
    if (created.status !== 201) throw new Error(`Azurite create container: ${created.status} ${created.body}`);

    const targets: Target[] = [
      { name: 'localrds', pid: rds.child.pid, runs: new Map(), spec: { host: rds.host, port: rds.port, target: { kind: 'v3', action: 'DescribeDBInstanceNetInfo', params: { DBInstanceId: id }, creds: rds.creds } } },
      { name: 'bare', pid: bareChild.pid, runs: new Map(), spec: { host: '127.0.0.1', port: barePort, target: { kind: 'plain', path: '/' } } },
      { name: 'azurite', pid: azChild.pid, runs: new Map(), spec: { host: '127.0.0.1', port: azPort, target: { kind: 'sharedkey', container: 'bench', query: { restype: 'container' } } } },
    ];
    for (let rep = 0; rep < REPS; rep++) {
      for (const c of CONNECTIONS) {
        for (const t of targets) {
          const r = await runLoadgen({ ...t.spec, connections: c, warmupMs: WARMUP_MS, durationMs: DURATION_MS }, t.pid);
          t.runs.set(c, [...(t.runs.get(c) ?? []), r]);
        }
      }
    }
    const [local, bare, azurite] = targets as [Target, Target, Target];
    const rows: Row[] = [];
    for (const c of CONNECTIONS) {
      const l = medianRun(local, c);
      const b = medianRun(bare, c);
      const a = medianRun(azurite, c);
      const vsBare = l.rps / b.rps;
      const vsAz = l.rps / a.rps;
      rows.push({
        figure: `req/s, ${c} conn, vs bare node:http`, value: fmt(l.rps), baseline: fmt(b.rps), ratio: fmt(vsBare, 2), target: '>= 0.5',
        verdict: verdict(l.errors === 0 && vsBare >= 0.5),
        note: `localrds: ${bound(l)}${errorsNote(l)}; runs ${spread(local, c)}. Bare: ${bound(b)}${errorsNote(b)}; runs ${spread(bare, c)}`,
      });
      rows.push({
        figure: `req/s, ${c} conn, vs Azurite`, value: fmt(l.rps), baseline: fmt(a.rps), ratio: fmt(vsAz, 2), target: '>= 3',
        verdict: verdict(l.errors === 0 && vsAz >= 3),
        note: `Azurite: ${bound(a)}${errorsNote(a)}; runs ${spread(azurite, c)}`,
      });
      rows.push({
        figure: `p50 / p99 ms, ${c} conn`, value: `${fmt(l.p50Ms)} / ${fmt(l.p99Ms)}`,
        baseline: `bare ${fmt(b.p50Ms)} / ${fmt(b.p99Ms)}; Azurite ${fmt(a.p50Ms)} / ${fmt(a.p99Ms)}`,
        ratio: `${fmt(l.p50Ms / b.p50Ms, 2)}x bare p50`,
        // Issue 11 sets a latency target for one connection only.
        target: c === 1 ? 'p50 < 0.25 ms' : '-', verdict: c === 1 ? verdict(l.p50Ms < 0.25) : 'n/a',
      });
    }
    notes.push(
      `Load generator: bench/loadgen.ts, a closed-loop keep-alive HTTP/1.1 client on raw sockets, one process pinned to core ${1 - SERVER_CORE}; `
      + `it builds and signs every request (new x-acs-signature-nonce, current x-acs-date; SharedKey with a fresh x-ms-date for Azurite), then starts the round trip's clock and writes it: latency runs from the write to the answer's last byte, so the signer's time counts for no server. `
      + `Servers pinned to core ${SERVER_CORE}, all three running side by side; the points take turns, ${REPS} repetitions each (${WARMUP_MS / 1000} s warm-up, ${DURATION_MS / 1000} s measured), `
      + 'and each row shows the repetition with the median rate (all rates in the notes). Non-200 answers count as errors.',
      `Response body: ${bodySize} bytes for localrds and the bare server (JSON); Azurite answers Get Container Properties with headers only.`,
      `localrds runs as \`localrds serve --no-tls --log-level warn\` on SQLite in a temp dir; the instance also has a public endpoint, so the answer lists two endpoints.`,
      'Where a localrds request goes (at the time of writing): read off the socket by the fast lane (src/http/fast-lane.ts: a strict HTTP/1.1 parser for plain RPC calls, '
      + 'answering with one write; node:http only for what it hands off), the signature checked in the same event-loop turn, the access key from an in-memory cache (one PRAGMA data_version per event-loop turn to check it), the nonce '
      + 'refused from memory or reserved there and written with the other nonces of the same event-loop turn to the SQLite store\'s nonce journal (one write() of 16 bytes '
      + 'each; no fsync: it survives kill -9, not a power cut), while the answer comes from the answer memo (src/protocol/answer-memo.ts: the text encoded by the first such call, kept while the store\'s version stands, with this call\'s RequestId put in; '
      + 'the first call after a commit runs the handler in one read transaction on the read-only connection: BEGIN, two SELECTs compiled once, COMMIT, synchronous on better-sqlite3); '
      + 'the answer waits for the nonce write. The bare server does none of this.',
    );
    return {
      title: '1. API: signed DescribeDBInstanceNetInfo (V3)',
      method: 'Requests per second and round-trip latency of a V3-signed call, against (a) a bare node:http server with a constant body of the same size and (b) Azurite (in memory) answering a SharedKey-signed Get Container Properties.',
      rows, notes,
    };
  } finally {
    for (const c of children) await stop(c);
    await rds.stop();
  }
}
