/**
 * Builds the one-line JSON record of a Ferry bench run (bench/results/*.jsonl) from what the run
 * script measured: the load source's JSON, the optional accept → delivered join, timestamps and
 * CPU counters. Usage: node bench/load/run-record.ts --kind ingress|e2e --source FILE ... (see
 * `RecordInputs`). Prints the record on stdout and a one-line human summary on stderr.
 * Exports `buildRunRecord` (pure). Invariant: a run whose sink never counted every message has
 * `e2e.seconds: null` and `ok: false`, never a made-up rate.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { E2eLatency } from './e2e-latency.ts';
import type { LoadResult } from './source.ts';

export interface RecordInputs {
  readonly kind: string;
  readonly label: string;
  readonly outConc: number;
  readonly machine: unknown;
  readonly source: LoadResult;
  readonly latency: E2eLatency | null;
  /** Epoch seconds when the timed phase was released; when the sink had counted everything (or null). */
  readonly t0: number;
  readonly tDelivered: number | null;
  readonly delivered: number;
  readonly relayCpuSeconds: number;
  readonly boxCpuSeconds: number;
  readonly loadBefore: number;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

export function buildRunRecord(i: RecordInputs): Record<string, unknown> {
  const s = i.source;
  const e2eSeconds = i.tDelivered === null ? null : i.tDelivered - i.t0;
  const span = e2eSeconds ?? s.wallSeconds;
  const ok = s.ok === s.messages && e2eSeconds !== null;
  return {
    ts: new Date(i.t0 * 1000).toISOString(),
    kind: i.kind,
    label: i.label,
    ok,
    params: { n: s.messages, sizes: s.sizes, conc: s.connections, tls: s.tls, auth: s.auth, pipelining: s.pipelining.used, warmup: s.warmup, outConc: i.outConc },
    machine: i.machine,
    loadBefore: i.loadBefore,
    ingress: { msgPerSec: r2(s.msgPerSec), seconds: s.wallSeconds, ok: s.ok, failed: s.failed, notSent: s.notSent, acceptLatencyMs: s.latencyMs },
    e2e: {
      seconds: e2eSeconds === null ? null : r2(e2eSeconds),
      msgPerSec: e2eSeconds === null ? null : r2(s.messages / e2eSeconds),
      delivered: i.delivered,
      acceptToDeliveredMs: i.latency?.latencyMs ?? null,
      missing: i.latency?.missing ?? null,
      duplicates: i.latency?.duplicates ?? null,
      dkimSigned: i.latency?.dkimSigned ?? null,
    },
    cpu: {
      relayCores: r2(i.relayCpuSeconds / span),
      boxCores: r2(i.boxCpuSeconds / span),
      sourceCores: s.sourceCpuCores,
      relayCpuMsPerMsg: s.ok > 0 ? r2((i.relayCpuSeconds * 1000) / s.ok) : null,
    },
  };
}

export function summaryLine(rec: Record<string, unknown>): string {
  const g = rec as { label: string; ok: boolean; ingress: { msgPerSec: number }; e2e: { msgPerSec: number | null; acceptToDeliveredMs: { p50: number | null } | null }; cpu: { relayCores: number }; loadBefore: number };
  return `${g.label}: ingress ${g.ingress.msgPerSec} msg/s, e2e ${g.e2e.msgPerSec ?? 'FAIL'} msg/s, ` +
    `accept->delivered p50 ${g.e2e.acceptToDeliveredMs?.p50 ?? '-'} ms, relay ${g.cpu.relayCores} cores, load ${g.loadBefore}${g.ok ? '' : '  [NOT OK]'}`;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      kind: { type: 'string' }, label: { type: 'string' }, 'out-conc': { type: 'string' }, machine: { type: 'string' },
      source: { type: 'string' }, latency: { type: 'string' }, t0: { type: 'string' }, 't-delivered': { type: 'string' },
      delivered: { type: 'string' }, 'relay-cpu-s': { type: 'string' }, 'box-cpu-s': { type: 'string' }, 'load-before': { type: 'string' },
    },
  });
  if (!v.source || !v.t0) throw new Error('run-record needs --source FILE and --t0');
  const rec = buildRunRecord({
    kind: v.kind ?? 'ingress',
    label: v.label ?? '',
    outConc: Number(v['out-conc'] ?? 0),
    machine: v.machine ? JSON.parse(v.machine) : null,
    source: JSON.parse(await readFile(v.source, 'utf8')) as LoadResult,
    latency: v.latency ? (JSON.parse(await readFile(v.latency, 'utf8')) as E2eLatency) : null,
    t0: Number(v.t0),
    tDelivered: v['t-delivered'] && v['t-delivered'] !== 'fail' ? Number(v['t-delivered']) : null,
    delivered: Number(v.delivered ?? 0),
    relayCpuSeconds: Number(v['relay-cpu-s'] ?? 0),
    boxCpuSeconds: Number(v['box-cpu-s'] ?? 0),
    loadBefore: Number(v['load-before'] ?? 0),
  });
  process.stdout.write(`${JSON.stringify(rec)}\n`);
  process.stderr.write(`${summaryLine(rec)}\n`);
}

if (import.meta.main) await main();
