/**
 * Markdown report of a bench invocation: Ferry records (bench/results/*.jsonl, from run-record.ts)
 * side by side with peer rows (the TSV of ../shared/bench/peers/load.sh: Postfix, or Ferry itself
 * driven by smtp-source through run-relay.sh), plus the Ferry/Postfix ratios at equal size.
 * Usage: node bench/load/report.ts [--jsonl FILE.jsonl]... [--peers FILE.tsv]... (JSONL lines of
 * kind "peer" carry a load.sh TSV line as `peer`).
 * Exports `peerRowsFromTsv`, `renderReport` (pure). Failed runs show as FAIL, never as a number.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/** One measured configuration, whatever produced it. */
export interface Row {
  readonly label: string;
  readonly harness: string;
  readonly n: number;
  readonly size: string;
  readonly dkim: string;
  readonly ingress: number | null;
  readonly e2e: number | null;
  readonly acceptP50: number | null;
  readonly acceptP99: number | null;
  readonly deliveredP50: number | null;
  readonly deliveredP99: number | null;
  readonly relayCores: number | null;
  readonly load: number | null;
}

const num = (v: string | undefined): number | null => (v === undefined || v === '' || isNaN(Number(v)) ? null : Number(v));

/** Rows from load.sh's TSV (header line first; e2e_s = "fail" marks a failed run). */
export function peerRowsFromTsv(text: string): Row[] {
  const [head = '', ...lines] = text.trim().split('\n');
  const cols = head.split('\t');
  return lines.filter(Boolean).map((line) => peerRow(Object.fromEntries(line.split('\t').map((v, i) => [cols[i], v]))));
}

/** One load.sh result (TSV columns by name, values as text or numbers). */
export function peerRow(fields: Record<string, string | number>): Row {
  const f = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)])) as Record<string, string | undefined>;
  return {
    label: f.label ?? '?',
    harness: 'smtp-source, plain, no AUTH',
    n: Number(f.n),
    size: f.size ?? '?',
    dkim: f.dkim ?? 'na',
    ingress: num(f.ingress_mps),
    e2e: f.e2e_s === 'fail' ? null : num(f.e2e_mps),
    acceptP50: null,
    acceptP99: null,
    deliveredP50: null,
    deliveredP99: null,
    relayCores: num(f.relay_cores),
    load: num(f.load_before),
  };
}

interface FerryRecord {
  kind: string;
  peer?: Record<string, string | number>;
  label: string;
  ok: boolean;
  loadBefore: number;
  params: { n: number; sizes: string; conc: number; tls: string; auth: boolean; pipelining: boolean };
  ingress: { msgPerSec: number; acceptLatencyMs: { p50: number | null; p99?: number | null } };
  e2e: { msgPerSec: number | null; dkimSigned?: number | null; acceptToDeliveredMs: { p50: number | null; p99: number | null } | null };
  cpu: { relayCores: number };
}

export function rowFromRecord(rec: FerryRecord): Row {
  const p = rec.params;
  return {
    label: rec.label,
    harness: `bench/load/source.ts, ${p.tls}${p.auth ? ' + AUTH' : ''}${p.pipelining ? ', pipelining' : ''}`,
    n: p.n,
    size: p.sizes.replace(/:1$/, ''),
    dkim: rec.e2e.dkimSigned == null ? 'unchecked' : rec.e2e.dkimSigned > 0 ? 'yes' : 'no',
    ingress: rec.ingress.msgPerSec,
    e2e: rec.ok ? rec.e2e.msgPerSec : null,
    acceptP50: rec.ingress.acceptLatencyMs.p50,
    acceptP99: rec.ingress.acceptLatencyMs.p99 ?? null,
    deliveredP50: rec.e2e.acceptToDeliveredMs?.p50 ?? null,
    deliveredP99: rec.e2e.acceptToDeliveredMs?.p99 ?? null,
    relayCores: rec.cpu.relayCores,
    load: rec.loadBefore,
  };
}

const cell = (v: number | null, digits = 0): string => (v === null ? 'FAIL' : v.toFixed(digits));
const opt = (v: number | null, digits = 1): string => (v === null ? '-' : v.toFixed(digits));

/** e2e msg/s per relay core: far less sensitive than msg/s to other load on a shared box. */
const perCpu = (r: Row): string => (r.e2e !== null && r.relayCores ? (r.e2e / r.relayCores).toFixed(0) : '-');

function ratioLines(rows: readonly Row[]): string[] {
  const ferry = rows.filter((r) => r.label.startsWith('ferry'));
  const postfix = rows.filter((r) => r.label.startsWith('postfix'));
  const out: string[] = [];
  for (const f of ferry) {
    for (const p of postfix.filter((x) => x.size === f.size)) {
      const ri = f.ingress !== null && p.ingress ? (f.ingress / p.ingress).toFixed(2) : 'n/a';
      const re = f.e2e !== null && p.e2e ? (f.e2e / p.e2e).toFixed(2) : 'n/a';
      out.push(`| ${f.label} / ${p.label} | ${f.size} | ${ri} | ${re} |`);
    }
  }
  return out.length ? ['', '| Ferry / Postfix | size B | ingress ratio | e2e ratio |', '|---|---|---|---|', ...out] : [];
}

export function renderReport(rows: readonly Row[]): string {
  const lines = [
    '| config | harness | N | size B | DKIM | ingress msg/s | e2e msg/s | accept p50 / p99 ms | accept→delivered p50 / p99 ms | relay cores | msgs per relay CPU-s | load avg |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.harness} | ${r.n} | ${r.size} | ${r.dkim} | ${cell(r.ingress)} | ${cell(r.e2e)} | ${opt(r.acceptP50)} / ${opt(r.acceptP99)} | ` +
        `${r.deliveredP50 === null ? '-' : `${opt(r.deliveredP50, 0)} / ${opt(r.deliveredP99, 0)}`} | ${opt(r.relayCores, 2)} | ${perCpu(r)} | ${opt(r.load, 2)} |`,
    ),
    ...ratioLines(rows),
  ];
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { jsonl: { type: 'string', multiple: true }, peers: { type: 'string', multiple: true } } });
  const rows: Row[] = [];
  for (const file of values.jsonl ?? []) {
    for (const line of (await readFile(file, 'utf8')).split('\n').filter(Boolean)) {
      const rec = JSON.parse(line) as FerryRecord;
      rows.push(rec.kind === 'peer' && rec.peer ? peerRow(rec.peer) : rowFromRecord(rec));
    }
  }
  for (const file of values.peers ?? []) rows.push(...peerRowsFromTsv(await readFile(file, 'utf8')));
  process.stdout.write(renderReport(rows));
}

if (import.meta.main) await main();
