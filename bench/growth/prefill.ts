/**
 * Growth bench prefill: writes N deferred messages straight into a data dir's spool (no relay
 * running), the way they would sit there after a failed first attempt: accept() (5 KB message, one
 * recipient), claimDue() and complete() with the recipient still pending and the next attempt due
 * in --defer (+1 day by default, spread over an hour), so the relay never claims them during a run.
 * Tenants and recipient domains are spread like real traffic (--tenants, --domains).
 * Prints one JSON object: count, seconds, msgPerSec, the spool's stats and bytes per sub-database.
 *   node bench/growth/prefill.ts --data-dir DIR --count 100000 [--batch 1000] [--size 5000]
 *                                [--tenants 50] [--domains 1000] [--defer-ms 86400000]
 */
import { parseArgs } from 'node:util';
import { newMessageId, newPrefixedId, type AcceptedMessage } from '../../src/domain/index.ts';
import { openLocalDatabase, type LocalDatabase } from '../../src/platform/index.ts';
import { openSpool, type Spool } from '../../src/spool/index.ts';
import { buildBody } from '../load/message.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface PrefillOptions {
  readonly dataDir: string;
  readonly count: number;
  readonly batch: number;
  readonly size: number;
  readonly tenants: number;
  readonly domains: number;
  readonly deferMs: number;
}

function options(): PrefillOptions {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      count: { type: 'string' },
      batch: { type: 'string', default: '1000' },
      size: { type: 'string', default: '5000' },
      tenants: { type: 'string', default: '50' },
      domains: { type: 'string', default: '1000' },
      'defer-ms': { type: 'string', default: String(DAY) },
    },
  });
  const int = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return value;
  };
  if (!values['data-dir']) throw new Error('--data-dir is required (the relay\'s dataDir)');
  return {
    dataDir: values['data-dir'],
    count: int('count', values.count, 0),
    batch: int('batch', values.batch, 1),
    size: int('size', values.size, 500),
    tenants: int('tenants', values.tenants, 1),
    domains: int('domains', values.domains, 1),
    deferMs: int('defer-ms', values['defer-ms'], 60_000),
  };
}

/** Builds message i: headers like the ingress writes them, then a shared text body up to `size` bytes. */
function messageFactory(opts: PrefillOptions) {
  const tenantIds = Array.from({ length: opts.tenants }, () => newPrefixedId('tn'));
  const text = buildBody(opts.size);
  return (index: number, receivedAt: number): AcceptedMessage => {
    // A few tenants send most of the mail (like real traffic): tenant k gets weight 1 / (k + 1).
    const tenant = Math.min(opts.tenants - 1, Math.floor(Math.expm1(Math.random() * Math.log1p(opts.tenants))));
    const domain = `rcpt${index % opts.domains}.example-mail.test`;
    const id = newMessageId(receivedAt);
    const rcpt = `user${index}@${domain}`;
    const from = `news@sender${tenant}.example.com`;
    const header = Buffer.from(
      `Received: from client.bench.test (127.0.0.1) by relay.bench.test with ESMTPSA id ${id}\r\n` +
      `Message-ID: <${id}@relay.bench.test>\r\nFrom: <${from}>\r\nTo: <${rcpt}>\r\n` +
      `Subject: growth bench ${index}\r\nDate: ${new Date(receivedAt).toUTCString()}\r\n\r\n`,
      'latin1',
    );
    const body = Buffer.concat([header, text.subarray(0, Math.max(0, opts.size - header.length))]);
    return {
      id,
      tenantId: tenantIds[tenant] as string,
      envelope: { mailFrom: from, rcptTo: [rcpt] },
      fromDomain: `sender${tenant}.example.com`,
      receivedAt,
      clientIp: '127.0.0.1',
      size: body.length,
      body,
    };
  };
}

/** One batch: accept every message, claim them back and defer them (one failed attempt each). */
async function writeBatch(spool: Spool, messages: readonly AcceptedMessage[], deferMs: number): Promise<void> {
  await Promise.all(messages.map((message) => spool.accept(message, message.receivedAt + 3 * DAY)));
  const now = Date.now();
  const claimed = await spool.claimDue(now, messages.length);
  if (claimed.length !== messages.length) throw new Error(`claimed ${claimed.length} of ${messages.length} just accepted`);
  await Promise.all(claimed.map((delivery) => spool.complete(delivery.id, {
    recipients: delivery.recipients,
    nextAttemptAt: now + deferMs + Math.floor(Math.random() * HOUR),
  })));
}

/** Bytes of the pages one sub-database uses (B-tree branch + leaf pages + overflow pages of large values). */
function tableBytes(db: LocalDatabase, name: string): number {
  const stats = db.openDB(name, { encoding: 'msgpack' }).getStats() as { pageSize: number; treeBranchPageCount: number; treeLeafPageCount: number; overflowPages: number };
  return stats.pageSize * (stats.treeBranchPageCount + stats.treeLeafPageCount + stats.overflowPages);
}

async function main(): Promise<void> {
  const opts = options();
  const db = openLocalDatabase(opts.dataDir);
  const spool = openSpool(db);
  const make = messageFactory(opts);
  const started = performance.now();
  let written = 0;
  let lastReport = started;
  while (written < opts.count) {
    const n = Math.min(opts.batch, opts.count - written);
    // Received an hour ago (ids stay in arrival order: appends to the B-trees, as in production).
    const batch = Array.from({ length: n }, (_, i) => make(written + i, Date.now() - HOUR));
    await writeBatch(spool, batch, opts.deferMs);
    written += n;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      process.stderr.write(`prefill: ${written} / ${opts.count} (${Math.round(written / ((lastReport - started) / 1000))} msg/s)\n`);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const stats = await spool.stats();
  const tables = Object.fromEntries(['spool.messages', 'spool.deliveries', 'spool.schedule'].map((name) => [name, tableBytes(db, name)]));
  await spool.close();
  await db.close();
  const result = { count: written, seconds: Number(seconds.toFixed(2)), msgPerSec: Math.round(written / Math.max(seconds, 1e-6)), size: opts.size, tenants: opts.tenants, domains: opts.domains, stats, tables };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
