/**
 * Timeouts at every SMTP stage against a real receiver that goes silent (test/support/
 * stalling-smtp.ts on 127.0.27.x): no banner (timeouts.greeting), no reply to MAIL or RCPT
 * (timeouts.command), no reply to the end of DATA (timeouts.data). Each time the delivery is
 * deferred (TransientFailure, attempt 1, next attempt on the schedule), Ferry drops the
 * connection, and a healthy path delivers while the stalled one is still hanging. An MX that
 * hangs up before its banner is a failed connect: the next MX is tried in the same attempt.
 */
import t, { type Test } from 'tap';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { startStallingSmtp, type StallStage, type StallingSmtp } from './support/stalling-smtp.ts';
import { startHarness, type Harness } from './support/delivery-harness.ts';

const egress = { ips: [{ address: '127.0.27.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.27.10'] } };
/** Every stage timeout not under test: long enough never to fire within a test. */
const LONG = { connect: '5s', greeting: '60s', command: '60s', data: '120s', idle: '30s' };

interface Setup {
  readonly h: Harness;
  readonly stall: StallingSmtp;
  readonly good: SmtpSink;
}

async function setup(t: Test, stallAt: StallStage, host: string, timeouts: Record<string, string>): Promise<Setup> {
  const stall = await startStallingSmtp({ host, stallAt });
  const good = await startSmtpSink({ host: '127.0.27.9' });
  t.teardown(async () => {
    await stall.stop();
    await good.stop();
  });
  const routes = { 'stall.test': `${stall.host}:${stall.port}`, 'good.test': `${good.host}:${good.port}` };
  const h = await startHarness(t, { config: { egress, delivery: { routes, retrySchedule: '7m', timeouts: { ...LONG, ...timeouts } } } });
  return { h, stall, good };
}

/** Sends one message into the stall, then (while it hangs) three to the healthy path. */
async function run(t: Test, { h, stall, good }: Setup, replyText: RegExp): Promise<void> {
  const tenant = await h.tenant('acme');
  const stalled = await h.send(tenant, 'a@acme.test', ['victim@stall.test']);
  await stall.waitConnections(1, 5000);
  for (let i = 0; i < 3; i++) await h.send(tenant, 'a@acme.test', [`ok${i}@good.test`]);
  await good.waitForMessages(3, 5000);
  t.equal((await h.state.readOutcomes({ types: ['TransientFailure'] })).length, 0, 'the healthy path delivered while the stalled session still hangs');
  t.equal(stall.open, 1, 'the stalled connection is still open at that point');

  const [deferred] = await h.records(['TransientFailure'], 1, 10_000);
  t.match(deferred, { messageId: stalled.id, recipients: ['victim@stall.test'], attempt: 1, egressIp: '127.0.27.10', reply: { code: 451, enhanced: '4.4.2', text: replyText } });
  t.equal(deferred?.type === 'TransientFailure' && deferred.nextAttemptAt - deferred.at, 7 * 60_000, 'next attempt on the schedule');
  await stall.waitAllClosed(5000);
  t.pass('Ferry dropped the stalled connection');
  t.ok(await h.spoolSettles((s) => s.scheduled === 1 && s.active === 0), 'the deferred delivery waits on the scheduled queue');
  t.equal((await h.state.readOutcomes({ types: ['Delivery'] })).length, 3);
  t.equal(stall.connections, 1, 'one connection, not retried before it is due');
}

t.test('no banner: timeouts.greeting fires', async (t) => {
  const s = await setup(t, 'banner', '127.0.27.2', { greeting: '1500ms' });
  await run(t, s, /Greeting never received/);
  t.equal(s.stall.messagesReceived, 0);
});

t.test('no reply to MAIL FROM: timeouts.command fires', async (t) => {
  const s = await setup(t, 'mail', '127.0.27.3', { command: '1500ms' });
  await run(t, s, /Timeout/);
  t.equal(s.stall.messagesReceived, 0);
});

t.test('no reply to RCPT TO: timeouts.command fires', async (t) => {
  const s = await setup(t, 'rcpt', '127.0.27.4', { command: '1500ms' });
  await run(t, s, /Timeout/);
  t.equal(s.stall.messagesReceived, 0);
});

t.test('no reply to the end of DATA: timeouts.data fires (command timeout far away)', async (t) => {
  const s = await setup(t, 'data-end', '127.0.27.5', { data: '1500ms' });
  await run(t, s, /no answer within 1500 ms/);
  t.equal(s.stall.messagesReceived, 1, 'the body went out; only the final reply never came');
});

t.test('an MX that hangs up before its banner: the next MX delivers (same attempt)', async (t) => {
  const hangUp = await startStallingSmtp({ host: '127.0.27.6', port: 25, stallAt: 'hang-up' });
  const good = await startSmtpSink({ host: '127.0.27.7', port: 25 });
  t.teardown(async () => {
    await hangUp.stop();
    await good.stop();
  });
  const h = await startHarness(t, {
    config: { egress },
    zone: {
      'twomx.test': { MX: [{ preference: 10, exchange: 'mx1.twomx.test' }, { preference: 20, exchange: 'mx2.twomx.test' }] },
      'mx1.twomx.test': { A: ['127.0.27.6'] },
      'mx2.twomx.test': { A: ['127.0.27.7'] },
    },
  });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'a@acme.test', ['bob@twomx.test']);
  const [delivered] = await h.records(['Delivery'], 1, 10_000);
  t.match(delivered, { recipients: ['bob@twomx.test'], mxHost: 'mx2.twomx.test', attempt: 1 });
  t.equal(hangUp.connections, 1, 'the first MX was tried');
  t.equal(good.messages.length, 1);
});
