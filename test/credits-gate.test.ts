/**
 * The credit gate on the wire (one relay, embedded store, credits.metered): RCPT refused with
 * 452 4.7.1 when credits are clearly short, DATA charged once per accepted recipient, a message
 * refused before the spool commit costs nothing, size bands, the ledger always summing to the
 * balance, unconfirmed spool charges committed exactly once, and an unmetered relay ignoring
 * credits. Real SMTP over raw sockets, real LMDB.
 */
import t from 'tap';
import { confirmPendingCharges, CreditMeter, creditSettings } from '../src/policy/index.ts';
import type { StateStore } from '../src/state/index.ts';
import { startRelayFixture, SmtpWire, type RelayFixture, type TestTenant } from './support/relay-fixture.ts';

const relay = await startRelayFixture(t, {
  config: { credits: { metered: true, sizeBands: [{ above: 2000, costPerRecipient: 3 }] } },
});

function body(from: string, padding = 0): string {
  return `From: ${from}\r\nTo: x@example.org\r\nSubject: test\r\n\r\nhello ${'x'.repeat(padding)}\r\n.\r\n`;
}

async function authed(r: RelayFixture, tenant: TestTenant): Promise<SmtpWire> {
  const { wire } = await SmtpWire.open({ port: r.ports.submission });
  await wire.command('EHLO client.test');
  await wire.startTls();
  await wire.command('EHLO client.test');
  const reply = await wire.authPlain('apikey', tenant.apiKey);
  if (reply.code !== 235) throw new Error(`AUTH failed: ${reply.line}`);
  return wire;
}

async function ledgerSum(state: StateStore, tenantId: string): Promise<number> {
  const entries = await state.readLedger(tenantId, { limit: 10_000 });
  return entries.reduce((sum, entry) => sum + entry.amount, 0);
}

t.test('no credits: RCPT answers 452 4.7.1 insufficient credits and nothing is charged', async (t) => {
  const poor = await relay.tenant('poor');
  const wire = await authed(relay, poor);
  t.equal((await wire.command('MAIL FROM:<a@poor.test>')).code, 250);
  t.equal((await wire.command('RCPT TO:<r1@example.org>')).line, '452 4.7.1 insufficient credits');
  wire.close();
  t.same(await relay.state.getCredits(poor.tenant.id), { balance: 0, reserved: 0 });
});

t.test('charged once per accepted recipient; the RCPT that cannot be paid is refused', async (t) => {
  const acme = await relay.tenant('acme');
  await relay.state.addCredits(acme.tenant.id, 3, 'top-up', 'pay-1');
  const wire = await authed(relay, acme);
  await wire.command('MAIL FROM:<a@acme.test>');
  t.equal((await wire.command('RCPT TO:<r1@example.org>')).code, 250);
  t.equal((await wire.command('RCPT TO:<r2@example.org>')).code, 250);
  t.equal((await wire.command('RCPT TO:<r3@example.org>')).code, 250);
  t.equal((await wire.command('RCPT TO:<r4@example.org>')).line, '452 4.7.1 insufficient credits', 'a 4th recipient is clearly unaffordable');
  t.equal((await wire.command('DATA')).code, 354);
  const queued = await wire.command(body('a@acme.test').replace(/\r\n\.\r\n$/, '\r\n.'));
  t.match(queued.line, /^250 2\.0\.0 queued as /);
  const id = /queued as (\S+)/.exec(queued.line)?.[1] ?? '';
  t.same(await relay.state.getCredits(acme.tenant.id), { balance: 0, reserved: 0 });
  const [charge] = await relay.state.readLedger(acme.tenant.id, { limit: 1 });
  t.match(charge, { kind: 'charge', amount: -3, ref: id, balance: 0 });
  t.equal(await ledgerSum(relay.state, acme.tenant.id), 0, 'ledger sum = balance');
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.same(await relay.spool.unconfirmedCharges(10), [], 'the confirmed charge left the spool index');

  await wire.command('MAIL FROM:<a@acme.test>');
  t.equal((await wire.command('RCPT TO:<r5@example.org>')).line, '452 4.7.1 insufficient credits');
  wire.close();
});

t.test('a message refused at DATA costs nothing; bigger messages cost their size band', async (t) => {
  const beta = await relay.tenant('beta');
  await relay.state.addCredits(beta.tenant.id, 10, 'top-up', 'pay-1');
  const wire = await authed(relay, beta);
  await wire.command('MAIL FROM:<a@beta.test>');
  await wire.command('RCPT TO:<r1@example.org>');
  await wire.command('DATA');
  t.match((await wire.command(body('a@elsewhere.test').replace(/\r\n\.\r\n$/, '\r\n.'))).line, /^550 5\.7\.1 /, 'foreign From: refused');
  t.same(await relay.state.getCredits(beta.tenant.id), { balance: 10, reserved: 0 }, 'refused message: no charge, no reservation left');

  await wire.command('MAIL FROM:<a@beta.test>');
  await wire.command('RCPT TO:<r1@example.org>');
  await wire.command('RCPT TO:<r2@example.org>');
  await wire.command('DATA');
  t.match((await wire.command(body('a@beta.test', 3000).replace(/\r\n\.\r\n$/, '\r\n.'))).line, /^250 /);
  t.equal((await relay.state.getCredits(beta.tenant.id)).balance, 4, '2 recipients × 3 credits (size band above 2000 bytes)');

  await wire.command('MAIL FROM:<a@beta.test>');
  for (const r of ['r1', 'r2']) await wire.command(`RCPT TO:<${r}@example.org>`);
  await wire.command('DATA');
  t.equal((await wire.command(body('a@beta.test', 3000).replace(/\r\n\.\r\n$/, '\r\n.'))).line, '452 4.7.1 insufficient credits', 'the reservation at DATA is the exact gate');
  t.same(await relay.state.getCredits(beta.tenant.id), { balance: 4, reserved: 0 });
  t.equal(await ledgerSum(relay.state, beta.tenant.id), 4);
  wire.close();
});

t.test('unconfirmed spool charges are committed exactly once (the spool is the truth)', async (t) => {
  const gamma = await relay.tenant('gamma');
  await relay.state.addCredits(gamma.tenant.id, 100, 'top-up', 'pay-1');
  const message = (id: string) => ({
    id, tenantId: gamma.tenant.id, envelope: { mailFrom: 'a@gamma.test', rcptTo: ['x@example.org', 'y@example.org'] },
    fromDomain: 'gamma.test', receivedAt: Date.now(), clientIp: '127.0.0.1', size: 10, body: Buffer.from('Subject: x\r\n\r\nhi\r\n'),
  });
  // A crash after the spool commit: one message reserved, one whose reservation never existed (expired).
  await relay.state.reserveCredits(gamma.tenant.id, 'MSGCRASH000000000000001', 2, 60_000);
  await relay.spool.accept(message('MSGCRASH000000000000001'), Date.now() + 60_000, { tenantId: gamma.tenant.id, amount: 2 });
  await relay.spool.accept(message('MSGCRASH000000000000002'), Date.now() + 60_000, { tenantId: gamma.tenant.id, amount: 2 });
  t.equal((await relay.spool.unconfirmedCharges(10)).length, 2);
  t.same(await confirmPendingCharges(relay.spool, new CreditMeter(relay.state, creditSettings(relay.config))), { confirmed: 2, failed: 0 });
  t.same(await confirmPendingCharges(relay.spool, new CreditMeter(relay.state, creditSettings(relay.config))), { confirmed: 0, failed: 0 });
  t.same(await relay.state.getCredits(gamma.tenant.id), { balance: 96, reserved: 0 });
  const charges = (await relay.state.readLedger(gamma.tenant.id, { limit: 10 })).filter((e) => e.kind === 'charge');
  t.same(charges.map((e) => e.ref).sort(), ['MSGCRASH000000000000001', 'MSGCRASH000000000000002']);
});

t.test('unmetered relay: a tenant without credits sends', async (t) => {
  const plain = await startRelayFixture(t, {});
  const free = await plain.tenant('free');
  const wire = await authed(plain, free);
  await wire.command('MAIL FROM:<a@free.test>');
  t.equal((await wire.command('RCPT TO:<r1@example.org>')).code, 250);
  await wire.command('DATA');
  t.match((await wire.command(body('a@free.test').replace(/\r\n\.\r\n$/, '\r\n.'))).line, /^250 /);
  t.same(await plain.state.readLedger(free.tenant.id, { limit: 10 }), [], 'no ledger movement');
  wire.close();
});
