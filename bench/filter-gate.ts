/**
 * Content-gate bench (issue 5): (1) the gate alone, in process, ms per 5 KB message (corpus mail,
 * multipart text+HTML); (2) a 10 MB MIME message (HTML + 4 attachments): gate time and the
 * longest event-loop stall while it runs; (3) ingress msg/s through a real in-process relay
 * (LMDB spool, STARTTLS, AUTH) driven by bench/load/source.ts in a CHILD process, gate off vs on
 * vs on + a real rspamd (when installed). Usage: node bench/filter-gate.ts [--messages N]
 * [--connections C] [--rounds R] [--no-rspamd]; off/on runs are interleaved R times (each round starting with the next variant), medians reported. Prints a table and writes bench/results/filter-<time>.json.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { loadConfig } from '../src/config/index.ts';
import { hashApiKey, newApiKey } from '../src/domain/index.ts';
import { startIngress } from '../src/ingress/index.ts';
import { createLogger, openLocalDatabase } from '../src/platform/index.ts';
import { createContentGate } from '../src/policy/filter/index.ts';
import { openSpool } from '../src/spool/index.ts';
import { openStateStore } from '../src/state/index.ts';
import { attachmentBytes, composeEntry, loadCorpus } from '../test/support/filter-corpus.ts';
import { rspamdAvailable, startRspamd } from '../test/support/rspamd.ts';

const { values } = parseArgs({ options: { messages: { type: 'string' }, connections: { type: 'string' }, 'no-rspamd': { type: 'boolean' }, rounds: { type: 'string' } } });
const MESSAGES = Math.min(20_000, Number(values.messages ?? 4000));
const CONNECTIONS = Math.min(200, Number(values.connections ?? 20));
const ROUNDS = Math.min(9, Number(values.rounds ?? 3));
const ENVELOPE = { tenantId: 'bench', mailFrom: 'news@shop.test', recipients: ['r@example.org'], clientIp: '127.0.0.1' };

async function gateAlone(): Promise<{ msPerMessage: number; p99: number; messages: number }> {
  const gate = createContentGate(loadConfig({ env: {}, overrides: {} }).filter)!;
  const corpus = await Promise.all(loadCorpus().map((e) => composeEntry({ ...e, text: `${e.text ?? ''}\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70)}` })));
  const times: number[] = [];
  for (let round = 0; round < 8; round++) {
    for (const raw of corpus) {
      const started = performance.now();
      await gate.evaluate(raw, ENVELOPE);
      if (round > 0) times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((s, x) => s + x, 0) / times.length;
  return { msPerMessage: round3(mean), p99: round3(times[Math.floor(times.length * 0.99)] ?? 0), messages: times.length };
}

async function bigMime(): Promise<{ bytes: number; gateMs: number; maxLoopStallMs: number }> {
  const gate = createContentGate(loadConfig({ env: {}, overrides: {} }).filter)!;
  const paragraph = '<p>Our spring collection is here: linen shirts, canvas shoes and straw hats for the season.</p>\n';
  const raw = await composeEntry({
    id: 'big', label: 'ham', subject: 'Spring catalogue',
    html: paragraph.repeat(20_000),
    attach: [{ name: 'catalogue.pdf', kind: 'pdf' }, { name: 'photos.zip', kind: 'zip-docs' }, { name: 'contract.docx', kind: 'docx' }, { name: 'logo.png', kind: 'png' }],
  });
  const padded = Buffer.concat([raw.subarray(0, raw.length - 2), Buffer.from(`\r\n`)]);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  await gate.evaluate(padded, ENVELOPE);
  const gateMs = performance.now() - started;
  histogram.disable();
  void attachmentBytes;
  return { bytes: padded.length, gateMs: round3(gateMs), maxLoopStallMs: round3(histogram.max / 1e6) };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

async function ingressRun(filter: Record<string, unknown>, label: string): Promise<{ label: string; msgPerSec: number; ok: number; failed: number; p50: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-filter-'));
  const overrides = { dataDir, ingress: { host: '127.0.0.1', submission: { port: 0 }, smtps: { enabled: false, port: 0 } }, delivery: { enabled: false }, filter };
  const config = loadConfig({ env: {}, overrides });
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(config, db);
  const spool = openSpool(db);
  const ingress = await startIngress({ config, state, spool, log: createLogger('silent') });
  try {
    const tenant = await state.createTenant({ name: 'bench', relayNetworks: [] });
    const apiKey = newApiKey();
    await state.addApiKey(tenant.id, hashApiKey(apiKey));
    await state.addDomain({ domain: 'example.com', tenantId: tenant.id, createdAt: Date.now(), dkimKeys: [] });
    const args = ['bench/load/source.ts', '--target', `127.0.0.1:${ingress.ports.submission}`, '--auth', `apikey:${apiKey}`, '--connections', String(CONNECTIONS),
      '--messages', String(MESSAGES), '--warmup', String(Math.min(1000, MESSAGES / 4)), '--size', '5k', '--label', label];
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '{}' }));
    const result = JSON.parse(stdout) as { msgPerSec: number; ok: number; failedTotal: number; latencyMs: { p50: number } };
    return { label, msgPerSec: Math.round(result.msgPerSec), ok: result.ok, failed: result.failedTotal, p50: result.latencyMs?.p50 };
  } finally {
    await ingress.stop();
    await spool.close();
    await state.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const alone = await gateAlone();
console.log(`gate alone (5-9 KB corpus mail, no rspamd): ${alone.msPerMessage} ms/message mean, p99 ${alone.p99} ms, over ${alone.messages} messages`);
const big = await bigMime();
console.log(`big MIME ${(big.bytes / 1e6).toFixed(1)} MB: gate ${big.gateMs} ms, longest event-loop stall ${big.maxLoopStallMs} ms`);
// Interleaved rounds, median per variant: the box is shared, so one run per variant is mostly noise.
const VARIANTS: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['gate off', { enabled: false }],
  ['gate on (no rspamd)', { enabled: true }],
  ['gate on, content checks only (tenant reputation off)', { enabled: true, checks: { tenantReputation: { enabled: false } } }],
];
const all: Awaited<ReturnType<typeof ingressRun>>[] = [];
// Each round starts with the next variant: a run after another in this process pays for the
// garbage and the page cache the previous one left, so a fixed order would bias one variant.
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < VARIANTS.length; i++) {
    const [label, filter] = VARIANTS[(round + i) % VARIANTS.length] as (typeof VARIANTS)[number];
    all.push(await ingressRun(filter, label));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const runs = VARIANTS.map(([label]) => {
  const mine = all.filter((r) => r.label === label);
  return { label, msgPerSec: median(mine.map((r) => r.msgPerSec)), ok: mine.reduce((n, r) => n + r.ok, 0), failed: mine.reduce((n, r) => n + r.failed, 0), p50: median(mine.map((r) => r.p50)), rounds: mine.map((r) => r.msgPerSec) };
});
if (!values['no-rspamd'] && rspamdAvailable()) {
  const rspamd = await startRspamd();
  try {
    const run = await ingressRun({ enabled: true, checks: { spam: { enabled: true, url: rspamd.url, timeout: '30s' } } }, 'gate on + rspamd');
    runs.push({ ...run, rounds: [run.msgPerSec] });
  } finally {
    await rspamd.stop();
  }
}
const base = runs[0]?.msgPerSec ?? 1;
console.log('\n| run (median of rounds) | msg/s | vs off | rounds | ok | failed | p50 ms |\n|---|---|---|---|---|---|---|');
for (const run of runs) console.log(`| ${run.label} | ${run.msgPerSec} | ${((run.msgPerSec / base - 1) * 100).toFixed(1)} % | ${run.rounds.join(' / ')} | ${run.ok} | ${run.failed} | ${run.p50} |`);
const file = join('bench', 'results', `filter-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), messages: MESSAGES, connections: CONNECTIONS, alone, big, runs }, null, 2));
console.log(`\nresults: ${file}`);
