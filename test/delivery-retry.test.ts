/**
 * Replies and time: 4xx retried on the schedule (fake clock) until delivered, 5xx → Bounce,
 * expiry after the queue lifetime → Expiration, partial RCPT acceptance in one transaction,
 * STARTTLS to the sink, `tls: required` without STARTTLS → deferred. Sinks on 127.0.23.x.
 */
import t from 'tap';
import { startSmtpSink, type SinkOptions, type SmtpSink } from './support/smtp-sink.ts';
import { startHarness, type Harness } from './support/delivery-harness.ts';
import type { Test } from 'tap';

const egress = { ips: [{ address: '127.0.23.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.23.10'] } };

async function setup(t: Test, sinkOptions: SinkOptions, delivery: Record<string, unknown> = {}): Promise<{ h: Harness; sink: SmtpSink }> {
  const sink = await startSmtpSink(sinkOptions);
  t.teardown(() => sink.stop());
  const h = await startHarness(t, { config: { egress, delivery: { routes: { '*': `${sink.host}:${sink.port}` }, ...delivery } } });
  return { h, sink };
}

t.test('4xx is retried on schedule with the fake clock, then delivered', async (t) => {
  let refusals = 2;
  const { h, sink } = await setup(t, { host: '127.0.23.2', rcpt: () => (refusals-- > 0 ? { code: 451, text: '4.7.1 greylisted, try later' } : undefined) }, { retrySchedule: '1m,5m' });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['grey@dest.test']);
  const [first] = await h.records(['TransientFailure'], 1);
  t.match(first, { attempt: 1, reply: { code: 451, enhanced: '4.7.1', text: 'greylisted, try later' }, egressIp: '127.0.23.10' });
  t.equal(first?.type === 'TransientFailure' && first.nextAttemptAt - first.at, 60_000);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.equal((await h.state.readOutcomes({ types: ['TransientFailure'] })).length, 1, 'not retried before it is due');
  h.clock.advance(60_000);
  h.engine.nudge();
  const failures = await h.records(['TransientFailure'], 2);
  const second = failures[1];
  t.match(second, { attempt: 2 });
  t.equal(second?.type === 'TransientFailure' && second.nextAttemptAt - second.at, 5 * 60_000, 'second wait from the schedule');
  h.clock.advance(5 * 60_000);
  h.engine.nudge();
  const [delivered] = await h.records(['Delivery'], 1);
  t.match(delivered, { attempt: 3, recipients: ['grey@dest.test'] });
  t.equal(sink.messages.length, 1);
});

t.test('5xx → Bounce record, message done', async (t) => {
  const { h } = await setup(t, { host: '127.0.23.3', rcpt: () => ({ code: 550, text: '5.1.1 no such user' }) });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['ghost@dest.test']);
  const [bounce] = await h.records(['Bounce'], 1);
  t.match(bounce, { recipients: ['ghost@dest.test'], reply: { code: 550, enhanced: '5.1.1', text: 'no such user' }, attempt: 1 });
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'the message left the spool');
});

t.test('expiry after the queue lifetime → Expiration', async (t) => {
  const { h } = await setup(t, { host: '127.0.23.4', rcpt: () => ({ code: 421, text: '4.3.2 try later' }) }, { retrySchedule: '5m', maxQueueLifetime: '8m' });
  const tenant = await h.tenant('acme');
  const message = await h.send(tenant, 'a@acme.test', ['later@dest.test']);
  await h.records(['TransientFailure'], 1);
  h.clock.advance(5 * 60_000);
  h.engine.nudge();
  const failures = await h.records(['TransientFailure'], 2);
  const second = failures[1];
  t.equal(second?.type === 'TransientFailure' && second.nextAttemptAt, message.receivedAt + 8 * 60_000, 'next attempt capped at expiresAt');
  h.clock.advance(3 * 60_000);
  h.engine.nudge();
  const [expired] = await h.records(['Expiration'], 1);
  t.match(expired, { recipients: ['later@dest.test'] });
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'the message left the spool');
});

t.test('partial RCPT acceptance in one transaction', async (t) => {
  const rcpt = (address: string) =>
    address.startsWith('gone') ? { code: 550, text: '5.1.1 gone' } : address.startsWith('full') ? { code: 452, text: '4.2.2 mailbox full' } : undefined;
  const { h, sink } = await setup(t, { host: '127.0.23.5', rcpt }, { retrySchedule: '1m' });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['ok1@dest.test', 'gone@dest.test', 'full@dest.test', 'ok2@dest.test']);
  await h.records(['Delivery', 'Bounce', 'TransientFailure'], 3);
  t.equal(sink.messages.length, 1, 'one transaction');
  t.same(sink.messages[0]?.rcptTo, ['ok1@dest.test', 'ok2@dest.test']);
  t.match(sink.messages[0]?.mailFrom, /^bounces\+d\./, 'multi-recipient VERP names the delivery');
  const byType = Object.fromEntries((await h.state.readOutcomes({})).map((r) => [r.type, r]));
  t.match(byType.Delivery, { recipients: ['ok1@dest.test', 'ok2@dest.test'] });
  t.match(byType.Bounce, { recipients: ['gone@dest.test'], reply: { code: 550 } });
  t.match(byType.TransientFailure, { recipients: ['full@dest.test'], reply: { code: 452 } });
  t.ok(await h.spoolSettles((s) => s.scheduled === 1), 'the deferred recipient is rescheduled');
  const [delivery] = await h.spool.listDeliveries(byType.Delivery!.messageId!);
  t.same(delivery?.recipients.map((r) => r.state), ['delivered', 'bounced', 'pending', 'delivered']);
});

t.test('STARTTLS when offered', async (t) => {
  const { h, sink } = await setup(t, { host: '127.0.23.6' });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['tls@dest.test']);
  await h.records(['Delivery'], 1);
  t.equal(sink.messages[0]?.secure, true, 'the sink saw TLS');
});

t.test('plaintext when STARTTLS is not offered; tls: required defers', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.23.7', port: 25, starttls: false });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    config: { egress, delivery: { sites: [{ name: 'strict', mx: ['mx.strict.test'], tls: 'required' }] } },
    zone: {
      'plain.test': { MX: [{ preference: 10, exchange: 'mx.plain.test' }] },
      'strict.test': { MX: [{ preference: 10, exchange: 'mx.strict.test' }] },
      'mx.plain.test': { A: ['127.0.23.7'] },
      'mx.strict.test': { A: ['127.0.23.7'] },
    },
  });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['plain@plain.test']);
  await h.send(tenant, 'a@acme.test', ['strict@strict.test']);
  const [delivered] = await h.records(['Delivery'], 1);
  const [deferred] = await h.records(['TransientFailure'], 1);
  t.match(delivered, { recipients: ['plain@plain.test'] });
  t.equal(sink.messages.length, 1);
  t.equal(sink.messages[0]?.secure, false, 'opportunistic TLS falls back to plaintext');
  t.match(deferred, { recipients: ['strict@strict.test'], site: 'strict', reply: { code: 451 } });
});
