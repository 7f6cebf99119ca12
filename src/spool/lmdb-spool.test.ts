/**
 * The LMDB spool against a real LMDB environment in a temp dir: accept → claim → complete,
 * partial recipients rescheduled, claim order and never-twice, deferred mail, recover,
 * deliveries stored active at accept, body removal, summary, large bodies, duplicate ids and close.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalDatabase } from '../platform/localdb.ts';
import { isFerryError, ErrorCodes, newMessageId, type AcceptedMessage } from '../domain/index.ts';
import { openSpool } from './index.ts';

const DAY = 86_400_000;

function openTempSpool(t: { teardown(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-spool-'));
  const db = openLocalDatabase(dir);
  const spool = openSpool(db);
  t.teardown(async () => {
    await spool.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { spool, db, dir };
}

function message(rcptTo: string[], receivedAt: number, overrides: Partial<AcceptedMessage> = {}): AcceptedMessage {
  const body = Buffer.from(`From: a@sender.test\r\nSubject: hi\r\n\r\nbody ${receivedAt}\r\n`);
  return {
    id: newMessageId(receivedAt),
    tenantId: 'tn_alpha',
    envelope: { mailFrom: 'a@sender.test', rcptTo },
    fromDomain: 'sender.test',
    receivedAt,
    clientIp: '127.0.0.1',
    size: body.length,
    body,
    ...overrides,
  };
}

t.test('accept fans out per domain, claim marks active, complete removes the message', async (t) => {
  const { spool } = openTempSpool(t);
  const msg = message(['x@A.test', 'y@b.test', 'z@a.test'], 1_000);
  const deliveries = await spool.accept(msg, 1_000 + DAY);
  t.same(
    deliveries.map((d) => [d.id, d.domain, d.recipients.map((r) => r.address), d.state, d.attempts, d.dueAt]),
    [
      [`${msg.id}:0`, 'a.test', ['x@A.test', 'z@a.test'], 'scheduled', 0, 1_000],
      [`${msg.id}:1`, 'b.test', ['y@b.test'], 'scheduled', 0, 1_000],
    ],
  );
  const stored = await spool.getMessage(msg.id);
  t.ok(Buffer.isBuffer(stored?.body));
  t.ok(stored?.body.equals(msg.body), 'body round-trips byte for byte');
  t.same(await spool.stats(), { messages: 1, scheduled: 2, active: 0, oldestReceivedAt: 1_000 });

  const claimed = await spool.claimDue(1_000, 10);
  t.same(claimed.map((d) => [d.id, d.state]), [[`${msg.id}:0`, 'active'], [`${msg.id}:1`, 'active']]);
  t.same(await spool.stats(), { messages: 1, scheduled: 0, active: 2, oldestReceivedAt: 1_000 });

  const delivered = (d: (typeof claimed)[number]) => d.recipients.map((r) => ({ ...r, state: 'delivered' as const }));
  await spool.complete(claimed[0]!.id, { recipients: delivered(claimed[0]!) });
  t.ok(await spool.getMessage(msg.id), 'message kept while a delivery remains');
  t.same((await spool.listDeliveries(msg.id)).map((d) => d.id), [`${msg.id}:1`]);
  await spool.complete(claimed[1]!.id, { recipients: delivered(claimed[1]!) });
  t.equal(await spool.getMessage(msg.id), undefined, 'body removed with the last delivery');
  t.same(await spool.listDeliveries(msg.id), []);
  t.same(await spool.stats(), { messages: 0, scheduled: 0, active: 0, oldestReceivedAt: undefined });
});

t.test('partial recipients are rescheduled with attempts+1 and not claimed before due', async (t) => {
  const { spool } = openTempSpool(t);
  const msg = message(['a@d.test', 'b@d.test'], 5_000);
  await spool.accept(msg, 5_000 + DAY);
  const [delivery] = await spool.claimDue(5_000, 1);
  t.ok(delivery);
  await spool.complete(delivery!.id, {
    recipients: [
      { address: 'a@d.test', state: 'delivered' },
      { address: 'b@d.test', state: 'pending' },
    ],
    nextAttemptAt: 65_000,
  });
  const [rescheduled] = await spool.listDeliveries(msg.id);
  t.same(
    [rescheduled?.state, rescheduled?.attempts, rescheduled?.dueAt, rescheduled?.recipients.map((r) => r.state)],
    ['scheduled', 1, 65_000, ['delivered', 'pending']],
  );
  t.same(await spool.claimDue(64_999, 10), [], 'deferred delivery not claimed before its due time');
  const again = await spool.claimDue(65_000, 10);
  t.same(again.map((d) => [d.id, d.attempts]), [[delivery!.id, 1]]);
  await spool.complete(delivery!.id, { recipients: [{ address: 'b@d.test', state: 'bounced' }] });
  t.equal(await spool.getMessage(msg.id), undefined);
});

t.test('requeue puts an active delivery back at a later due time without counting an attempt', async (t) => {
  const { spool } = openTempSpool(t);
  const msg = message(['a@q.test'], 7_000);
  await spool.accept(msg, 7_000 + DAY);
  const [delivery] = await spool.claimDue(7_000, 1);
  await spool.requeue(delivery!.id, 8_000);
  const [requeued] = await spool.listDeliveries(msg.id);
  t.same([requeued?.state, requeued?.attempts, requeued?.dueAt], ['scheduled', 0, 8_000]);
  t.same(await spool.claimDue(7_999, 10), [], 'not claimed before its new due time');
  t.same((await spool.claimDue(8_000, 10)).map((d) => d.id), [delivery!.id]);
  await t.rejects(spool.requeue('nope:0', 9_000), { code: 'MTA_ERR_NOT_FOUND' });
  await spool.requeue(delivery!.id, 9_000);
  await t.rejects(spool.requeue(delivery!.id, 9_000), { code: 'MTA_ERR_STATE_CONFLICT' }, 'only an active delivery');
});

t.test('claims come oldest due first, only due ones, and never twice', async (t) => {
  const { spool } = openTempSpool(t);
  const times = [3_000, 1_000, 2_000, 9_000, 4_000];
  const messages = times.map((at) => message([`r@${at}.test`], at));
  await Promise.all(messages.map((m) => spool.accept(m, m.receivedAt + DAY)));
  const [first, second, third] = await Promise.all([
    spool.claimDue(5_000, 2),
    spool.claimDue(5_000, 2),
    spool.claimDue(5_000, 10),
  ]);
  const dueAts = [...first!, ...second!, ...third!].map((d) => d.dueAt);
  t.same(dueAts, [1_000, 2_000, 3_000, 4_000], 'concurrent claims split the due set in order');
  t.same(await spool.claimDue(5_000, 10), [], 'nothing claimed twice');
  t.same((await spool.claimDue(9_000, 10)).map((d) => d.dueAt), [9_000]);
  t.same(await spool.claimDue(9_000, 0), []);
});

t.test('recover puts active deliveries back on the schedule at now', async (t) => {
  const { spool } = openTempSpool(t);
  const a = message(['a@one.test', 'b@two.test'], 1_000);
  const b = message(['c@three.test'], 2_000);
  await spool.accept(a, DAY);
  await spool.accept(b, DAY);
  const claimed = await spool.claimDue(1_500, 10);
  t.equal(claimed.length, 2);
  t.equal(await spool.recover(7_000), 2);
  const stats = await spool.stats();
  t.same([stats.scheduled, stats.active], [3, 0]);
  const reclaimed = await spool.claimDue(7_000, 10);
  t.same(reclaimed.map((d) => d.dueAt), [2_000, 7_000, 7_000], 'recovered deliveries due at now');
  t.equal(await spool.recover(8_000), 3);
});

t.test('accept with startActive stores the deliveries active: never claimed, completed as usual, recovered after a stop', async (t) => {
  const { spool } = openTempSpool(t);
  const taken = message(['a@one.test', 'b@two.test'], 1_000);
  const deliveries = await spool.accept(taken, DAY, undefined, true);
  t.same(deliveries.map((d) => d.state), ['active', 'active']);
  t.same(await spool.stats(), { messages: 1, scheduled: 0, active: 2, oldestReceivedAt: 1_000 });
  t.same(await spool.claimDue(5_000, 10), [], 'nothing to claim: they are already taken');
  await spool.complete(deliveries[0]!.id, { recipients: [{ address: 'a@one.test', state: 'delivered' }] });
  t.same((await spool.listDeliveries(taken.id)).map((d) => [d.id, d.state]), [[deliveries[1]!.id, 'active']]);
  // The run stopped before the second was settled: the next start's recover puts it back.
  t.equal(await spool.recover(6_000), 1);
  t.same((await spool.claimDue(6_000, 10)).map((d) => d.id), [deliveries[1]!.id]);
});

t.test('recover also finds active deliveries of a spool written before spool.active existed', async (t) => {
  const { spool, db } = openTempSpool(t);
  await spool.accept(message(['a@one.test', 'b@two.test'], 1_000), DAY);
  const [first] = await spool.claimDue(1_500, 1);
  t.equal((await spool.stats()).active, 1);
  // What the earlier code left after a crash: the delivery active, no entry in spool.active.
  await db.openDB<true, string>('spool.active', { encoding: 'msgpack' }).remove(first?.id ?? '');
  t.equal(await spool.recover(7_000), 1, 'found by the full scan: the counts disagreed');
  t.same([(await spool.stats()).active, (await spool.claimDue(7_000, 10)).length], [0, 2]);
});

t.test('a message accepted here is read back from memory until its last delivery completes', async (t) => {
  const { spool } = openTempSpool(t);
  const a = message(['a@one.test', 'b@two.test'], 1_000);
  await spool.accept(a, DAY);
  t.equal(await spool.getMessage(a.id), a, 'the very object accepted: no LMDB read');
  const [first, second] = await spool.claimDue(1_500, 10);
  await spool.complete(first?.id ?? '', { recipients: [{ address: 'a@one.test', state: 'delivered' }] });
  t.equal(await spool.getMessage(a.id), a, 'one delivery left: still held');
  await spool.complete(second?.id ?? '', { recipients: [{ address: 'b@two.test', state: 'delivered' }] });
  t.equal(await spool.getMessage(a.id), undefined, 'gone with its last delivery');
  const b = message(['c@three.test'], 2_000);
  await spool.accept(b, DAY);
  await spool.bulk('remove', {}, { now: 3_000 });
  t.equal(await spool.getMessage(b.id), undefined, 'a bulk removal clears the window');
});

t.test('summary groups depth and age by tenant and recipient domain', async (t) => {
  const { spool } = openTempSpool(t);
  await spool.accept(message(['a@gmail.test', 'b@yahoo.test'], 1_000), DAY);
  await spool.accept(message(['c@gmail.test'], 2_000, { tenantId: 'tn_beta' }), DAY);
  await spool.accept(message(['d@gmail.test'], 3_000, { tenantId: 'tn_beta' }), DAY);
  await spool.claimDue(1_000, 1);
  const summary = await spool.summary();
  t.same(summary.totals, { messages: 3, scheduled: 3, active: 1, oldestReceivedAt: 1_000 });
  t.same(summary.byTenant, [
    { key: 'tn_alpha', deliveries: 2, scheduled: 1, active: 1, messages: 1, oldestReceivedAt: 1_000 },
    { key: 'tn_beta', deliveries: 2, scheduled: 2, active: 0, messages: 2, oldestReceivedAt: 2_000 },
  ]);
  t.same(summary.byDomain, [
    { key: 'gmail.test', deliveries: 3, scheduled: 2, active: 1, messages: 3, oldestReceivedAt: 1_000 },
    { key: 'yahoo.test', deliveries: 1, scheduled: 1, active: 0, messages: 1, oldestReceivedAt: 1_000 },
  ]);
});

t.test('errors: duplicate id, unknown or idle delivery, no recipients, closed spool', async (t) => {
  const { spool } = openTempSpool(t);
  const msg = message(['a@x.test'], 1_000);
  await spool.accept(msg, DAY);
  await t.rejects(spool.accept({ ...msg, envelope: { mailFrom: 'a@sender.test', rcptTo: ['b@y.test'] } }, DAY), {
    code: ErrorCodes.STATE_CONFLICT,
  });
  t.same((await spool.listDeliveries(msg.id)).map((d) => d.domain), ['x.test'], 'duplicate wrote nothing');
  await t.rejects(spool.complete('nope:0', { recipients: [] }), { code: ErrorCodes.NOT_FOUND });
  await t.rejects(spool.complete(`${msg.id}:0`, { recipients: [] }), { code: ErrorCodes.STATE_CONFLICT });
  await t.rejects(spool.accept(message([], 1_000), DAY), { code: ErrorCodes.INTERNAL });
  await spool.close();
  const closed = await spool.accept(message(['a@x.test'], 2_000), DAY).catch((error: unknown) => error);
  t.ok(isFerryError(closed, ErrorCodes.SPOOL_CLOSED), 'accept after close rejects with SPOOL_CLOSED');
  await t.rejects(spool.claimDue(5_000, 1), { code: ErrorCodes.SPOOL_CLOSED });
});

t.test('a 25 MiB body is stored and read back intact', async (t) => {
  const { spool } = openTempSpool(t);
  const body = Buffer.alloc(25 * 1024 * 1024);
  for (let i = 0; i < body.length; i += 4096) body.writeUInt32BE(i, i);
  const msg = message(['big@x.test'], 1_000, { body, size: body.length });
  await spool.accept(msg, DAY);
  const stored = await spool.getMessage(msg.id);
  t.equal(stored?.body.length, body.length);
  t.ok(stored?.body.equals(body));
});

t.test('the spool reopens with its data (another open of the same dir)', async (t) => {
  const { spool, db, dir } = openTempSpool(t);
  const msg = message(['a@x.test'], 1_000);
  await spool.accept(msg, DAY);
  await spool.close();
  await db.close();
  const reopenedDb = openLocalDatabase(dir);
  const reopened = openSpool(reopenedDb);
  t.teardown(() => reopenedDb.close());
  t.equal((await reopened.getMessage(msg.id))?.id, msg.id);
  t.equal((await reopened.claimDue(1_000, 5)).length, 1);
});

t.test('methods work detached from the spool object (wrappers, Proxy)', async (t) => {
  const { spool } = openTempSpool(t);
  const wrapped = new Proxy(spool, { get: (target, property) => Reflect.get(target, property) as unknown });
  const { accept, claimDue } = wrapped;
  await accept(message(['a@x.test'], 1_000), DAY);
  t.equal((await claimDue(1_000, 5)).length, 1);
  t.equal((await wrapped.stats()).active, 1);
});

t.test('summary over more deliveries than one slice: every delivery and message counted once', async (t) => {
  const { spool } = openTempSpool(t);
  const now = Date.now();
  const accepted = [];
  for (let i = 0; i < 6_500; i++) {
    const tenantId = i % 2 === 0 ? 'tn_even' : 'tn_odd';
    accepted.push(spool.accept(message([`r${i}@a.test`, `r${i}@b.test`], now + i, { tenantId }), now + DAY));
  }
  await Promise.all(accepted);
  let loopRan = false;
  setImmediate(() => (loopRan = true));
  const summary = await spool.summary();
  t.ok(loopRan, 'the event loop ran between slices (an SMTP session is not stalled by the scan)');
  t.match(summary.totals, { messages: 6_500, scheduled: 13_000, active: 0, oldestReceivedAt: now });
  t.same(summary.byTenant.map((g) => [g.key, g.deliveries, g.messages]), [['tn_even', 6_500, 3_250], ['tn_odd', 6_500, 3_250]]);
  t.same(summary.byDomain.map((g) => [g.key, g.deliveries, g.messages]), [['a.test', 6_500, 6_500], ['b.test', 6_500, 6_500]]);
});
