/**
 * The content gate end to end, through the real relay (SMTP over STARTTLS, LMDB spool, embedded
 * state): a forbidden-sector message is refused 550 5.7.1 with its category and a support
 * reference, nothing is queued and the Rejection record carries every check's result; a clean
 * message is queued with its results in the Reception record; monitor mode accepts what enforce
 * refuses and records it; `hold` answers 451 4.7.1; a scanner that does not answer in time
 * (a real HTTP server that stalls) → 451 4.3.0 and nothing queued.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { ReceptionRecord, RejectionRecord } from '../src/domain/index.ts';
import { lastRecord, sendOverWire, startRelayFixture, type RelayFixture } from './support/relay-fixture.ts';

const CASINO = 'Subject: 100 free spins at our online casino\r\n\r\nSign up today: free spins, welcome bonus, roulette and blackjack. Bet now!\r\n';
const CLEAN = 'Subject: Your order has shipped\r\n\r\nYour order 1042 has shipped and arrives Thursday.\r\n';
const CARD = 'Subject: booking\r\n\r\nMy card: 4111 1111 1111 1111, expiry 08/27.\r\n';



async function lastSeq(relay: RelayFixture): Promise<number> {
  return (await relay.state.readOutcomes({})).at(-1)?.seq ?? 0;
}

t.test('enforce: forbidden sector refused 550 5.7.1 with category and reference, nothing queued, results recorded', async (t) => {
  const relay = await startRelayFixture(t);
  const shop = await relay.tenant('shop');
  const before = (await relay.spool.stats()).messages;
  const line = await sendOverWire(relay, shop, CASINO);
  t.match(line, /^550 5\.7\.1 Message refused by content policy: forbidden-sector \(support reference CG-[0-9A-F]{12}\)$/);
  t.notMatch(line, /roulette|casino|score/i, 'no rule internals in the reply');
  t.equal((await relay.spool.stats()).messages, before, 'nothing queued');
  const record = await lastRecord<RejectionRecord>(relay, 'Rejection');
  t.match(record, { stage: 'data', reason: 'content.refused', tenantId: shop.tenant.id, contentGate: { mode: 'enforce', verdict: 'refuse' } });
  t.ok(line.includes(record.contentGate?.ref ?? 'none'), 'the quoted reference is the record\'s');
  const sectors = record.contentGate?.results.find((r) => r.check === 'sectors');
  t.match(sectors, { outcome: 'refuse', code: 'sector.betting' });
  t.match(sectors?.detail, /free spins/, 'the record explains which terms fired');
  t.same(record.contentGate?.results.map((r) => r.check), ['sender', 'tenant-reputation', 'attachments', 'sensitive-data', 'bulk', 'sectors'], 'every check that ran, in order');

  t.match(await sendOverWire(relay, shop, CLEAN), /^250 2\.0\.0 queued as /);
  const reception = await lastRecord<ReceptionRecord>(relay, 'Reception');
  t.match(reception.contentGate, { verdict: 'accept', mode: 'enforce' });
  t.ok(reception.contentGate?.results.every((r) => r.outcome === 'pass'), 'all checks passed and are recorded');
  t.equal((await relay.spool.stats()).messages, before + 1);

  const seq = await lastSeq(relay);
  t.match(await sendOverWire(relay, shop, CARD), /^550 5\.7\.1 Message refused by content policy: sensitive-data /);
  const card = await lastRecord<RejectionRecord>(relay, 'Rejection', seq);
  t.notMatch(JSON.stringify(card), /4111 1111 1111 1111|4111111111111111/, 'the card number is not stored in the record');
});

t.test('monitor mode: accepted and queued, what would have been refused is recorded', async (t) => {
  const relay = await startRelayFixture(t, { config: { filter: { mode: 'monitor' } } });
  const shop = await relay.tenant('onboarding');
  t.match(await sendOverWire(relay, shop, CASINO), /^250 2\.0\.0 queued as /);
  const reception = await lastRecord<ReceptionRecord>(relay, 'Reception');
  t.match(reception.contentGate, { mode: 'monitor', verdict: 'monitor' });
  t.match(reception.contentGate?.results.find((r) => r.check === 'sectors'), { outcome: 'refuse', code: 'sector.betting' });
  t.equal((await relay.spool.stats()).messages, 1);
});

t.test('scanner too slow → 451 4.3.0, nothing queued; hold → 451 4.7.1', async (t) => {
  const stalled = new Set<ServerResponse>();
  const scanner: Server = createServer((_request, response) => void stalled.add(response));
  await new Promise<void>((resolve) => scanner.listen(0, '127.0.0.1', resolve));
  t.teardown(async () => {
    for (const response of stalled) response.destroy();
    await new Promise((resolve) => scanner.close(resolve));
  });
  const url = `http://127.0.0.1:${(scanner.address() as AddressInfo).port}`;
  const relay = await startRelayFixture(t, {
    config: { filter: { checks: { spam: { enabled: true, url, timeout: '300ms' }, sensitiveData: { action: 'hold' } } } },
  });
  const shop = await relay.tenant('scanned');
  const started = Date.now();
  t.equal(await sendOverWire(relay, shop, CLEAN), '451 4.3.0 Internal error, message not accepted, try again later');
  t.ok(Date.now() - started < 5_000, 'answered within the scanner budget');
  t.ok(stalled.size >= 1, 'the scanner was asked');
  t.equal((await relay.spool.stats()).messages, 0, 'nothing queued');
  const record = await lastRecord<RejectionRecord>(relay, 'Rejection');
  t.match(record, { reason: 'internal.failure', contentGate: { verdict: 'tempfail' } });
  t.match(record.contentGate?.results.at(-1), { check: 'spam', outcome: 'error' });

  t.match(await sendOverWire(relay, shop, CARD), /^451 4\.7\.1 Message held for content review \(sensitive-data\), support reference CG-/);
});
