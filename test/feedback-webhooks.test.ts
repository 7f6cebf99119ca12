/**
 * Webhooks end to end (issue 6): real mail through the relay to a sink (three delivered, one
 * refused 550 5.1.1 by the sink → a classified synchronous Bounce → suppression) while the
 * tenant's receiver (a real HTTP server) is down for an hour of fake clock; every pass fails
 * fast with backoff and mail keeps flowing. Then the receiver is up: every event arrives, batched
 * as the tenant chose, each with a unique id, in seq order per message, signatures verify with the
 * timestamp inside the replay window. Sink on 127.0.64.2, egress 127.0.64.10.
 */
import t from 'tap';
import { startFeedbackRelay } from './support/feedback-relay.ts';
import { startHttpReceiver } from './support/http-receiver.ts';
import { verifyWebhook } from '../src/feedback/index.ts';
import type { StateStore, WebhookEvent } from '../src/state/index.ts';

const MINUTE = 60_000;

async function waitFor(state: StateStore, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await check()) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

t.test('receiver down for an hour, then up: every event once or more, unique ids, in order, signed', async (t) => {
  const r = await startFeedbackRelay(t, '127.0.64.2', '127.0.64.10', (address) => (address.startsWith('nobody@') ? { code: 550, text: '5.1.1 <nobody@dest.test>: Recipient address rejected: User unknown in virtual mailbox table' } : undefined));
  const { state } = r.fx;
  const receiver = await startHttpReceiver();
  t.teardown(() => receiver.stop());
  await receiver.down();
  const acme = await r.tenant('acme');
  await state.setWebhookEndpoint(acme.tenant.id, { tenantId: acme.tenant.id, url: receiver.url, secret: 'whsec_live', batchSize: 2, createdAt: r.clock.now() });

  for (const to of ['a@dest.test', 'b@dest.test', 'nobody@dest.test', 'c@dest.test']) t.match(await r.send(acme.apiKey, 'news@acme.test', to), { accepted: true });
  await waitFor(state, async () => (await state.readOutcomes({ types: ['Delivery', 'Bounce'] })).length >= 4);
  t.match(await state.readOutcomes({ types: ['Bounce'] }), [{ via: 'smtp', hard: true, bounceClass: 'user-unknown', recipients: ['nobody@dest.test'] }], 'synchronous bounce classified');
  await r.feedback.drain();
  t.match(await state.findSuppression(acme.tenant.id, 'nobody@dest.test', r.clock.now()), { reason: 'hard-bounce' });
  const queued = await state.peekWebhookEvents(acme.tenant.id, 100);
  t.same(queued.map((e) => e.type).sort(), ['bounced', 'delivered', 'delivered', 'delivered', 'suppressed'], 'five events queued');

  const started = Date.now();
  for (let minute = 0; minute < 60; minute++) {
    r.clock.advance(MINUTE);
    await r.feedback.webhooks.runOnce();
  }
  t.equal(receiver.requests.length, 0, 'nothing arrived while down');
  const { requests, failures } = r.feedback.webhooks.stats;
  t.ok(requests >= 5 && requests < 60, `backoff: ${requests} attempts in the hour`);
  t.equal(failures, requests);
  t.ok(Date.now() - started < 10_000, `an hour of failing passes took ${Date.now() - started} ms of real time`);
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'd@dest.test'), { accepted: true }, 'mail flows while the endpoint is dead');
  await waitFor(state, async () => (await state.readOutcomes({ types: ['Delivery'] })).length >= 4);
  await r.feedback.drain();

  await receiver.up();
  r.clock.advance(60 * MINUTE);
  for (let pass = 0; pass < 5 && (await state.peekWebhookEvents(acme.tenant.id, 1)).length > 0; pass++) await r.feedback.webhooks.runOnce();
  t.same(await state.peekWebhookEvents(acme.tenant.id, 10), [], 'outbox empty');
  t.equal(r.feedback.webhooks.stats.dropped, 0);

  const received: WebhookEvent[] = [];
  for (const request of receiver.requests) {
    t.ok(verifyWebhook('whsec_live', request.body, String(request.headers['ferry-signature']), r.clock.now(), 5 * MINUTE), 'signature verifies');
    t.notOk(verifyWebhook('whsec_live', request.body, String(request.headers['ferry-signature']), r.clock.now() + 10 * MINUTE, 5 * MINUTE), 'replayed later: refused');
    const body = JSON.parse(request.body) as WebhookEvent[];
    t.ok(Array.isArray(body) && body.length <= 2, 'batched as chosen (≤ 2 per request)');
    received.push(...body);
  }
  const ids = received.map((e) => e.id);
  t.equal(new Set(ids).size, 6, 'six distinct events (five + the delivery sent while down)');
  t.same([...new Set(ids)].sort(), ids.filter((id, i) => ids.indexOf(id) === i).sort(), 'duplicates, if any, carry the same id');
  const byMessage = new Map<string, number[]>();
  for (const e of received) byMessage.set(e.messageId ?? '', [...(byMessage.get(e.messageId ?? '') ?? []), e.seq]);
  for (const [messageId, seqs] of byMessage) t.same(seqs, [...seqs].sort((a, b) => a - b), `in order for ${messageId}`);
  t.same(received.filter((e) => e.messageId === received.find((x) => x.type === 'bounced')?.messageId).map((e) => e.type), ['bounced', 'suppressed']);
});
