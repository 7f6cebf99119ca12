/**
 * Queue bulk operations proven on 10,000 queued messages with the real relay (startRelay, in
 * process) and a real SMTP sink: held before the relay starts → nothing is attempted; purge by
 * filter (over HTTP to the relay's admin port) removes exactly the matched 200, each with a
 * record; release → all 10,000 delivered to the sink and the spool is empty.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdmin } from '../src/admin/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { newAdminToken, newMessageId } from '../src/domain/index.ts';
import { startRelay } from '../src/main.ts';
import { createLogger, createResolver, openLocalDatabase } from '../src/platform/index.ts';
import { openSpool } from '../src/spool/index.ts';
import { openStateStore } from '../src/state/index.ts';
import { startSmtpSink } from './support/smtp-sink.ts';

const HELD = 10_000;
const PURGED = 200;

t.test('10,000 held: nothing attempted; purge exactly the matched; release delivers all', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bulk-'));
  const sink = await startSmtpSink({ host: '127.0.0.1', starttls: false });
  t.teardown(async () => { await sink.stop(); rmSync(dataDir, { recursive: true, force: true }); });
  const config = loadConfig({ env: {}, overrides: {
    dataDir, secrets: { masterKey: 'cd'.repeat(32) },
    ingress: { submission: { port: 0 }, smtps: { port: 0 } }, admin: { port: 0 }, metrics: { port: 0 },
    delivery: { activeWindow: 30_000, routes: { '*': `127.0.0.1:${sink.port}` }, limits: { maxConnections: 100, maxMessagesPerConnection: 10000, maxMessagesPerSecond: 0 } },
  } });

  // Before the relay runs: queue the mail and hold it through the admin API (inject).
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(config, db);
  const spool = openSpool(db);
  const tenant = await state.createTenant({ name: 'bulkco' });
  const { token, record } = newAdminToken('ops', ['read', 'queues']);
  await state.addAdminToken(record);
  const body = Buffer.from('From: app@bulk.test\r\nTo: r@bulk.test\r\nSubject: bulk\r\n\r\nhello\r\n');
  const now = Date.now();
  const accept = (i: number, domain: string) => spool.accept({ id: newMessageId(now + i), tenantId: tenant.id, envelope: { mailFrom: 'app@bulk.test', rcptTo: [`r${i}@${domain}`] }, fromDomain: 'bulk.test', receivedAt: now, clientIp: '127.0.0.1', size: body.length, body }, now + 86_400_000);
  await Promise.all(Array.from({ length: HELD }, (_, i) => accept(i, 'bulk.test')));
  await Promise.all(Array.from({ length: PURGED }, (_, i) => accept(HELD + i, 'purge.test')));
  const admin = await buildAdmin({ config, state, spool, resolver: createResolver({ servers: ['127.0.0.1:1'], timeoutMs: 100, negativeTtlMs: 100 }), queueSnapshot: async () => undefined });
  const hold = await admin.inject({ method: 'POST', url: '/v1/queues/hold', headers: { authorization: `Bearer ${token}` }, payload: { tenant: 'bulkco', dryRun: false } });
  t.equal(hold.json().matched, HELD + PURGED, 'everything held');
  await admin.close();
  await spool.close();
  await state.close();
  await db.close();

  const relay = await startRelay(config, createLogger('silent'));
  t.teardown(() => relay.stop());
  const api = async (path: string, payload: object) => {
    const response = await fetch(`http://127.0.0.1:${relay.ports.admin}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    return { status: response.status, json: (await response.json()) as { matched: number; dryRun: boolean } };
  };
  await new Promise((resolve) => setTimeout(resolve, 2000));
  t.equal(sink.sessions.length, 0, 'held: no connection was even opened');

  t.same((await api('/v1/queues/purge', { domain: 'purge.test', dryRun: true })).json.matched, PURGED, 'dry run counts the purge');
  t.equal((await api('/v1/queues/purge', { domain: 'purge.test', dryRun: false })).status, 400, 'a purge needs a reason');
  const purged = await api('/v1/queues/purge', { domain: 'purge.test', dryRun: false, reason: 'test purge' });
  t.same([purged.status, purged.json.matched], [200, PURGED]);

  const started = Date.now();
  const released = await api('/v1/queues/release', { tenant: 'bulkco', dryRun: false });
  t.equal(released.json.matched, HELD, 'exactly the remaining held deliveries released');
  await sink.waitForMessages(HELD, 150_000);
  t.equal(sink.messages.length, HELD, `all ${HELD} delivered in ${Date.now() - started} ms after release`);
  t.notOk(sink.messages.some((m) => m.rcptTo.some((r) => r.endsWith('@purge.test'))), 'no purged message was sent');

  const check = await fetch(`http://127.0.0.1:${relay.ports.admin}/v1/outcomes?type=AdminAction&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
  const actions = ((await check.json()) as { records: { action: string }[] }).records;
  t.equal(actions.filter((r) => r.action === 'queue.purged').length, PURGED, 'one record per purged delivery');
  const queues = await fetch(`http://127.0.0.1:${relay.ports.admin}/v1/queues`, { headers: { authorization: `Bearer ${token}` } });
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.equal(((await queues.json()) as { totals: { held?: number } }).totals.held ?? 0, 0, 'nothing left held');
});
