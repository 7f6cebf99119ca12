/**
 * Growth bench records and report (bench/run-growth.sh): one JSON line per point.
 *   --queued N ...   a queue point: prefill result, spool bytes, start / restart to serving,
 *                    the ingress load's result, relay memory, the admin queue overview's time.
 *   --sites K --per-site-connections C --world FILE   a destination-sites point, from run-world's record.
 *   --report FILE    a markdown table of a growth-*.jsonl file.
 * Prints the record on stdout and a one-line summary on stderr. Exports queueRecord, sitesRecord (pure).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { LoadResult } from '../load/source.ts';

const r2 = (v: number): number => Math.round(v * 100) / 100;
const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : String(Math.round(v)));
const json = (text: string | undefined): unknown => (text ? JSON.parse(text) : null);

interface Memory { vmRssMB: number; vmHwmMB: number; rssAnonMB: number; rssFileMB: number }

export interface QueueInputs {
  readonly queued: number;
  readonly prefill: { count: number; seconds: number; msgPerSec: number };
  readonly duBytes: number;
  readonly source: LoadResult;
  readonly serveFirstS: number;
  readonly serveRestartS: number;
  /** Start after dropping the page cache (COLD_RESTART=1), else null. */
  readonly serveColdS: number | null;
  readonly stopS: number;
  readonly memory: { idle: Memory; afterLoad: Memory; afterOverview: Memory; restart: Memory; peakAnonMB: number };
  readonly overviewS: number;
  /** Time to a 220 greeting asked for while the overview ran (the scan holds the main thread). */
  readonly bannerDuringOverviewS: number;
  readonly overviewTotals: unknown;
  readonly delivered: number;
  readonly e2eS: number;
  readonly relayCpuS: number;
  readonly loadBefore: number;
  readonly machine: unknown;
}

export function queueRecord(i: QueueInputs) {
  const s = i.source;
  return {
    ts: new Date().toISOString(),
    kind: 'growth-queue' as const,
    queued: i.queued,
    ok: s.ok === s.messages && i.delivered >= s.messages,
    machine: i.machine,
    loadBefore: i.loadBefore,
    prefill: i.prefill,
    spool: { bytes: i.duBytes, bytesPerQueued: i.queued > 0 ? Math.round(i.duBytes / i.queued) : null },
    serve: { firstStartS: i.serveFirstS, restartS: i.serveRestartS, coldCacheRestartS: i.serveColdS, gracefulStopS: i.stopS },
    ingress: { n: s.messages, conc: s.connections, tls: s.tls, msgPerSec: r2(s.msgPerSec), ok: s.ok, failed: s.failed, acceptLatencyMs: s.latencyMs },
    e2e: { delivered: i.delivered, seconds: r2(i.e2eS), msgPerSec: i.e2eS > 0 ? r2(s.messages / i.e2eS) : null },
    relayCpuMsPerMsg: s.ok > 0 ? r2((i.relayCpuS * 1000) / s.ok) : null,
    memory: i.memory,
    adminQueueOverview: { seconds: i.overviewS, smtpGreetingMeanwhileS: i.bannerDuringOverviewS, totals: i.overviewTotals },
  };
}

interface WorldRecord {
  drive: { messages: number; ok: number; msgPerSec: number; acceptLatencyMs: { p50: number | null; p99: number | null } };
  expectedRecipients: number; delivered: number; bounced: number; transientFailures: number;
  reachedTarget: boolean; timeTo99Seconds: number | null; relayCpuSeconds: number;
  loadavg: { before: number; end: number }; machine: unknown;
}

export function sitesRecord(sites: number, perSiteConnections: number, w: WorldRecord) {
  const t99 = w.timeTo99Seconds;
  return {
    ts: new Date().toISOString(),
    kind: 'growth-sites' as const,
    sites,
    perSiteConnections,
    ok: w.reachedTarget,
    machine: w.machine,
    loadBefore: w.loadavg.before,
    loadEnd: w.loadavg.end,
    accepted: { messages: w.drive.ok, msgPerSec: w.drive.msgPerSec, acceptLatencyMs: { p50: w.drive.acceptLatencyMs.p50, p99: w.drive.acceptLatencyMs.p99 } },
    delivered: { recipients: w.delivered, bounced: w.bounced, transientFailures: w.transientFailures, timeTo99S: t99, msgPerSec: t99 ? r2((0.99 * w.expectedRecipients) / t99) : null },
    relayCpuMsPerMsg: w.drive.ok > 0 ? r2((w.relayCpuSeconds * 1000) / w.drive.ok) : null,
  };
}

type GrowthRecord = ReturnType<typeof queueRecord> | ReturnType<typeof sitesRecord>;

function report(lines: readonly GrowthRecord[]): string {
  const out: string[] = [];
  const queue = lines.filter((l) => l.kind === 'growth-queue');
  if (queue.length > 0) {
    out.push('| queued | prefill msg/s | spool B / queued | start → 220 s (first / restart) | ingress msg/s | accept p50 / p99 ms | e2e msg/s | RSS idle / after load / peak (HWM) MB | RssAnon peak MB | queue overview s (220 meanwhile) | load |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const q of queue) {
      out.push(`| ${q.queued} | ${q.prefill.msgPerSec} | ${q.spool.bytesPerQueued ?? '–'} | ${q.serve.firstStartS} / ${q.serve.restartS}${q.serve.coldCacheRestartS === null ? '' : ` / ${q.serve.coldCacheRestartS} cold`} | ${q.ingress.msgPerSec} | ` +
        `${ms(q.ingress.acceptLatencyMs.p50)} / ${ms(q.ingress.acceptLatencyMs.p99)} | ${q.e2e.msgPerSec ?? 'FAIL'} | ` +
        `${q.memory.idle.vmRssMB} / ${q.memory.afterLoad.vmRssMB} / ${q.memory.afterOverview.vmHwmMB} | ${q.memory.peakAnonMB} | ${q.adminQueueOverview.seconds} (${q.adminQueueOverview.smtpGreetingMeanwhileS}) | ${q.loadBefore} |`);
    }
  }
  const sites = lines.filter((l) => l.kind === 'growth-sites');
  if (sites.length > 0) {
    out.push('', '| sites | conns per site | accepted msg/s | accept p50 / p99 ms | time to 99 % s | delivered msg/s | deferrals | relay CPU ms / msg | load |');
    out.push('|---|---|---|---|---|---|---|---|---|');
    for (const s of sites) {
      out.push(`| ${s.sites} | ${s.perSiteConnections} | ${s.accepted.msgPerSec} | ${ms(s.accepted.acceptLatencyMs.p50)} / ${ms(s.accepted.acceptLatencyMs.p99)} | ` +
        `${s.delivered.timeTo99S ?? 'not reached'} | ${s.delivered.msgPerSec ?? '–'} | ${s.delivered.transientFailures} | ${s.relayCpuMsPerMsg} | ${s.loadBefore} |`);
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: Object.fromEntries(['queued', 'prefill', 'du-bytes', 'source', 'serve-first-s', 'serve-restart-s', 'serve-cold-s', 'stop-s',
      'mem-idle', 'mem-after', 'mem-restart', 'mem-overview', 'anon-peak-mb', 'overview-s', 'banner-during-overview-s', 'overview', 'delivered', 'e2e-s',
      'relay-cpu-s', 'load-before', 'machine', 'sites', 'per-site-connections', 'world', 'report'].map((k) => [k, { type: 'string' as const }])),
  }) as { values: Record<string, string | undefined> };
  if (v.report) {
    const lines = (await readFile(v.report, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as GrowthRecord);
    process.stdout.write(`${report(lines)}\n`);
    return;
  }
  let rec: GrowthRecord;
  if (v.sites) {
    rec = sitesRecord(Number(v.sites), Number(v['per-site-connections']), JSON.parse(await readFile(v.world as string, 'utf8')) as WorldRecord);
  } else {
    const overview = v.overview ? await readFile(v.overview, 'utf8').then(JSON.parse, () => null) as { totals?: unknown } | null : null;
    rec = queueRecord({
      queued: Number(v.queued), prefill: json(v.prefill) as QueueInputs['prefill'], duBytes: Number(v['du-bytes']),
      source: JSON.parse(await readFile(v.source as string, 'utf8')) as LoadResult,
      serveFirstS: Number(v['serve-first-s']), serveRestartS: Number(v['serve-restart-s']), serveColdS: v['serve-cold-s'] && v['serve-cold-s'] !== 'null' ? Number(v['serve-cold-s']) : null, stopS: Number(v['stop-s']),
      memory: { idle: json(v['mem-idle']) as Memory, afterLoad: json(v['mem-after']) as Memory, afterOverview: json(v['mem-overview']) as Memory, restart: json(v['mem-restart']) as Memory, peakAnonMB: Number(v['anon-peak-mb']) },
      overviewS: Number(v['overview-s']), bannerDuringOverviewS: Number(v['banner-during-overview-s']), overviewTotals: overview?.totals ?? null,
      delivered: Number(v.delivered), e2eS: Number(v['e2e-s']), relayCpuS: Number(v['relay-cpu-s']), loadBefore: Number(v['load-before']), machine: json(v.machine),
    });
  }
  process.stdout.write(`${JSON.stringify(rec)}\n`);
  process.stderr.write(`${report([rec]).split('\n').at(-1) ?? ''}\n`);
}

if (import.meta.main) await main();
