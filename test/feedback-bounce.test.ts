/**
 * Async bounce end to end (issue 6): a message goes through the real ingress and delivery to a
 * sink; an RFC 3464 DSN for it comes back to the inbound listener at its VERP address; the
 * recipient is suppressed; the next message to it is refused at RCPT (550 5.7.1 … bounced); the
 * tenant's webhook receiver gets a signed `bounced` event. Forged DSNs (altered token at RCPT,
 * forged return path inside a report to the feedback address) change nothing and are counted.
 * Sink on 127.0.61.2, egress 127.0.61.10; every wait is bounded.
 */
import t from 'tap';
import { startFeedbackRelay } from './support/feedback-relay.ts';
import { startHttpReceiver } from './support/http-receiver.ts';
import { verifyWebhook } from '../src/feedback/index.ts';
import type { OutcomeRecord, OutcomeType } from '../src/domain/index.ts';
import type { StateStore } from '../src/state/index.ts';

async function waitForRecords(state: StateStore, types: OutcomeType[], count: number, timeoutMs = 10_000): Promise<OutcomeRecord[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const records = await state.readOutcomes({ types });
    if (records.length >= count || Date.now() > until) return records;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function dsnFor(verp: string, recipient: string, status: string, diagnostic: string): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.dest.test>', `To: ${verp}`, 'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"', '',
    '--B1', 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
    '--B1', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.dest.test', '',
    `Final-Recipient: rfc822; ${recipient}`, 'Action: failed', `Status: ${status}`, `Diagnostic-Code: smtp; ${diagnostic}`, '',
    '--B1', 'Content-Type: text/rfc822-headers', '', `Return-Path: <${verp}>`, 'From: news@acme.test', `To: ${recipient}`, 'Subject: Hello', '',
    '--B1--', '',
  ].join('\n');
}

t.test('async bounce → suppressed → refused at RCPT → webhook bounced; forged DSNs change nothing', async (t) => {
  const r = await startFeedbackRelay(t, '127.0.61.2', '127.0.61.10');
  const receiver = await startHttpReceiver();
  t.teardown(() => receiver.stop());
  const { state } = r.fx;
  const acme = await r.tenant('acme');
  await state.setWebhookEndpoint(acme.tenant.id, { tenantId: acme.tenant.id, url: receiver.url, secret: 'whsec_test', batchSize: 1, createdAt: r.clock.now() });

  t.match(await r.send(acme.apiKey, 'news@acme.test', 'bob@dest.test'), { accepted: true });
  await r.sink.waitForMessages(1, 10_000);
  await waitForRecords(state, ['Delivery'], 1);
  const verp = r.sink.messages[0]!.mailFrom;
  t.match(verp, /^bounces\+r\..+@bounces\.ferry\.test$/, 'VERP return path');

  // Forged: an altered token is refused at RCPT; a report with a forged return path is dropped.
  const recordsBefore = (await state.readOutcomes({})).length;
  const altered = verp.replace(/\.([a-z2-7]{10})\./, (_m, mac: string) => `.${mac.slice(1)}a.`);
  t.match(await r.inbound(altered, dsnFor(altered, 'bob@dest.test', '5.1.1', '550 5.1.1 no such user')), /^550/, 'forged VERP refused at RCPT');
  t.match(await r.inbound('fbl@ferry.test', dsnFor(altered, 'bob@dest.test', '5.1.1', '550 5.1.1 no such user')), /^250/, 'report accepted…');
  t.equal(r.feedback.inbound?.counters.forged, 1, '…and counted as forged');
  t.equal(r.feedback.inbound?.counters.refusedRecipients, 1);
  await r.feedback.drain();
  t.equal((await state.readOutcomes({})).length, recordsBefore, 'no record from forged DSNs');
  t.equal(await state.findSuppression(acme.tenant.id, 'bob@dest.test', r.clock.now()), undefined, 'not suppressed by a forgery');

  t.match(await r.inbound(verp, dsnFor(verp, 'bob@dest.test', '5.1.1', '550 5.1.1 <bob@dest.test>: Recipient address rejected: User unknown')), /^250/);
  t.equal(r.feedback.inbound?.counters.bounce, 1);
  const bounces = await state.readOutcomes({ types: ['Bounce'] });
  t.match(bounces, [{ via: 'dsn', hard: true, bounceClass: 'user-unknown', recipients: ['bob@dest.test'], tenantId: acme.tenant.id }]);
  await r.feedback.drain();
  t.match(await state.findSuppression(acme.tenant.id, 'BOB@dest.test', r.clock.now()), { reason: 'hard-bounce', source: `outcome:${bounces[0]!.seq}` });
  t.match(await state.readOutcomes({ types: ['Suppressed'] }), [{ recipient: 'bob@dest.test', reason: 'hard-bounce' }]);

  const again = await r.send(acme.apiKey, 'news@acme.test', 'bob@dest.test');
  t.equal(again.accepted, false, 'next message refused');
  t.match(again.response, /^550 5\.7\.1 .*bounced/, `RCPT reply names the class: ${again.response}`);
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'carol@dest.test'), { accepted: true }, 'other recipients still accepted');

  await r.feedback.drain();
  await r.feedback.webhooks.runOnce();
  const events = receiver.requests.map((request) => ({ request, event: JSON.parse(request.body) as { id: string; type: string; data: Record<string, unknown> } }));
  const bounced = events.find(({ event }) => event.type === 'bounced');
  t.ok(bounced, `bounced event received (types: ${events.map(({ event }) => event.type).join(',')})`);
  t.match(bounced?.event.data, { recipients: ['bob@dest.test'], via: 'dsn', hard: true });
  t.ok(events.some(({ event }) => event.type === 'suppressed'), 'suppressed event');
  t.ok(events.some(({ event }) => event.type === 'rejected'), 'rejected event for the refused RCPT');
  for (const { request } of events) {
    t.ok(verifyWebhook('whsec_test', request.body, String(request.headers['ferry-signature']), Date.now(), 300_000), 'signature verifies');
  }
  t.equal(new Set(events.map(({ event }) => event.id)).size, events.length, 'unique event ids');
});
