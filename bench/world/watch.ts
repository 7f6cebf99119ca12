/**
 * Watches a world run to its end and reports it: tails Ferry's outcome records through the admin
 * API (`GET /v1/outcomes`, paged by seq) until ≥ --target of the accepted recipients are final
 * (delivered, bounced or expired) or --timeout passes, then reads the world's counts, analyses
 * (analysis.ts) and writes the JSON record and the SVG plot. Prints the record on stdout.
 *   node bench/world/watch.ts --scenario F --api URL --token T --world-http PORT --accept-log F
 *        --drive-json F --start-ms MS --out-json F --out-svg F [--target 0.99] [--timeout 600] [--extra JSON]
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { analyseRun, finalProgress, type OutcomeLite, type WorldCounts } from './analysis.ts';
import { parseScenario } from './scenario.ts';
import { renderPlot } from './svg-plot.ts';

interface Page { readonly records: (OutcomeLite & { seq?: number })[]; readonly nextAfterSeq?: number }

async function getJson<T>(url: string, token?: string): Promise<T> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

function lite(r: OutcomeLite): OutcomeLite {
  const { type, at, messageId, recipients, site, attempt, egressIp, reply } = r;
  return { type, at, ...(messageId && { messageId }), ...(recipients && { recipients }), ...(site && { site }), ...(attempt !== undefined && { attempt }), ...(egressIp && { egressIp }), ...(reply && { reply }) };
}

/** Reads every record after `afterSeq`; returns the new afterSeq. */
async function drain(api: string, token: string, afterSeq: number, into: OutcomeLite[]): Promise<number> {
  let seq = afterSeq;
  for (;;) {
    const page = await getJson<Page>(`${api}/v1/outcomes?limit=1000&afterSeq=${seq}`, token);
    for (const r of page.records) into.push(lite(r));
    seq = page.records.at(-1)?.seq ?? seq;
    if (page.records.length < 1000) return seq;
  }
}

function plot(title: string, series: ReturnType<typeof analyseRun>['series']): string {
  const times = series.map((p) => p.t);
  return renderPlot(title, times, [
    { title: 'Throughput (2 s buckets)', unit: 'per second', lines: [
      { name: 'accepted msg/s', colour: '#888', values: series.map((p) => p.acceptedPerSec) },
      { name: 'delivered rcpt/s', colour: '#0a6', values: series.map((p) => p.deliveredPerSec) },
    ] },
    { title: 'Accept → delivered latency of the deliveries in each bucket', unit: 'seconds', lines: [
      { name: 'p50', colour: '#07c', values: series.map((p) => (p.latencyP50Ms === null ? null : p.latencyP50Ms / 1000)) },
      { name: 'p99', colour: '#c30', values: series.map((p) => (p.latencyP99Ms === null ? null : p.latencyP99Ms / 1000)) },
    ] },
  ]);
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: Object.fromEntries(['scenario', 'api', 'token', 'world-http', 'accept-log', 'drive-json', 'start-ms', 'out-json', 'out-svg', 'target', 'timeout', 'extra', 'progress-log'].map((k) => [k, { type: 'string' as const }])),
  });
  const need = (k: string) => v[k] ?? (() => { throw new Error(`--${k} is required`); })();
  const scenario = parseScenario(await readFile(need('scenario') as string, 'utf8'));
  const accepted = (await readFile(need('accept-log') as string, 'utf8')).split('\n').filter(Boolean).map((line) => line.split('\t'));
  const expectedRecipients = accepted.reduce((n, f) => n + (f[4] ?? '').split(',').length, 0);
  const target = Number(v.target ?? 0.99);
  const deadline = Date.now() + Number(v.timeout ?? 600) * 1000;
  const records: OutcomeLite[] = [];
  let seq = 0;
  let lastNote = 0;
  for (;;) {
    seq = await drain(need('api') as string, need('token') as string, seq, records);
    const final = finalProgress(records);
    if (Date.now() - lastNote > 10_000) {
      lastNote = Date.now();
      const note = `${new Date().toISOString()} final ${final}/${expectedRecipients} (${((100 * final) / expectedRecipients).toFixed(1)} %), records ${records.length}\n`;
      process.stderr.write(note);
      if (v['progress-log']) await appendFile(v['progress-log'], note);
    }
    if (final >= expectedRecipients * target || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const worldHttp = `http://127.0.0.1:${need('world-http') as string}`;
  const counts = await getJson<WorldCounts>(`${worldHttp}/counts`);
  const world = await getJson<{ domains: { domain: string; site: string; fate: string }[] }>(`${worldHttp}/domains`);
  const analysis = analyseRun({
    scenario, records, expectedRecipients, counts, startMs: Number(need('start-ms')),
    acceptTimes: accepted.map((f) => Number(f[2])),
    domains: new Map(world.domains.map((d) => [d.domain, { site: d.site, fate: d.fate }])),
  });
  const drive = JSON.parse(await readFile(need('drive-json') as string, 'utf8')) as Record<string, unknown>;
  const record = { ts: new Date().toISOString(), kind: 'world', scenario: scenario.name, target, reachedTarget: analysis.finalShare >= target, drive, ...analysis, worldSites: counts.sites, ...(v.extra ? JSON.parse(v.extra) as object : {}) };
  await writeFile(need('out-json') as string, `${JSON.stringify(record)}\n`);
  await writeFile(need('out-svg') as string, plot(`Ferry in the simulated world: scenario ${scenario.name}, ${expectedRecipients} recipients`, analysis.series));
  const { series: _series, worldSites: _sites, ...short } = record;
  process.stdout.write(`${JSON.stringify(short, null, 1)}\n`);
}

if (import.meta.main) await main();
