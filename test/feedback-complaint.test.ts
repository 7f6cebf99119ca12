/**
 * ARF complaint end to end (issue 6): a message delivered to a sink, an RFC 5965 report for it
 * sent by a feedback loop to the inbound listener's FBL address → Complaint record, complaint
 * suppression, a complaint case due in 48 h. With the loop's fake clock: nothing happens at 47 h;
 * at 49 h the unanswered case expires and the tenant is suspended (AdminAction record) and its
 * next MAIL FROM is refused. A second tenant that submits proof in time is not suspended by the
 * sweep; a rejected proof suspends it. Sink on 127.0.62.2, egress 127.0.62.10.
 */
import t from 'tap';
import { startFeedbackRelay } from './support/feedback-relay.ts';
import type { StateStore } from '../src/state/index.ts';

const HOUR = 3_600_000;

async function waitForDeliveries(state: StateStore, count: number): Promise<void> {
  const until = Date.now() + 10_000;
  while ((await state.readOutcomes({ types: ['Delivery'] })).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

function arfFor(verp: string, from: string, recipient: string): string {
  return [
    'From: fbl@isp.test', 'To: fbl@ferry.test', 'Subject: FW: Hello', 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="A"', '',
    '--A', 'Content-Type: text/plain', '', 'This is an email abuse report for an email message received.', '',
    '--A', 'Content-Type: message/feedback-report', '', 'Feedback-Type: abuse', 'User-Agent: isp-fbl/1.0', 'Version: 1',
    `Original-Rcpt-To: ${recipient}`, 'Arrival-Date: Thu, 8 Mar 2025 14:00:00 +0000', '',
    '--A', 'Content-Type: message/rfc822', '', `Return-Path: <${verp}>`, `From: ${from}`, `To: ${recipient}`, 'Subject: Hello', '', 'Hello.', '',
    '--A--', '',
  ].join('\n');
}

t.test('ARF complaint → suppression + 48 h case → tenant suspended; proof in time is reviewed', async (t) => {
  const r = await startFeedbackRelay(t, '127.0.62.2', '127.0.62.10');
  const { state } = r.fx;
  const acme = await r.tenant('acme');
  const beta = await r.tenant('beta');
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'dave@dest.test'), { accepted: true });
  t.match(await r.send(beta.apiKey, 'news@beta.test', 'erin@dest.test'), { accepted: true });
  await r.sink.waitForMessages(2, 10_000);
  await waitForDeliveries(state, 2);
  const verpOf = (to: string) => r.sink.messages.find((m) => m.rcptTo.includes(to))!.mailFrom;

  t.match(await r.inbound('fbl@ferry.test', arfFor(verpOf('dave@dest.test'), 'news@acme.test', 'dave@dest.test')), /^250/);
  t.match(await r.inbound('fbl@ferry.test', arfFor(verpOf('erin@dest.test'), 'news@beta.test', 'erin@dest.test')), /^250/);
  t.equal(r.feedback.inbound?.counters.complaint, 2);
  t.match(await state.readOutcomes({ types: ['Complaint'] }), [{ tenantId: acme.tenant.id, recipient: 'dave@dest.test', source: 'arf:abuse' }, { tenantId: beta.tenant.id }]);
  await r.feedback.drain();
  t.match(await state.findSuppression(acme.tenant.id, 'dave@dest.test', r.clock.now()), { reason: 'complaint' });
  const [acmeCase] = await state.listComplaintCases({ tenantId: acme.tenant.id });
  const [betaCase] = await state.listComplaintCases({ tenantId: beta.tenant.id });
  t.match(acmeCase, { status: 'open', recipient: 'dave@dest.test' });
  t.equal(acmeCase!.dueAt - acmeCase!.openedAt, 48 * HOUR, 'due in 48 hours');

  await r.feedback.complaints.submitConsent(betaCase!.id, beta.tenant.id, { consentedAt: Date.parse('2025-01-02T10:00:00Z'), source: 'signup form on beta.test', relationship: 'newsletter subscriber' });
  r.clock.advance(47 * HOUR);
  t.same(await r.feedback.complaints.sweep(), [], 'nothing due at 47 h');
  t.equal((await state.getTenant(acme.tenant.id))?.status, 'active');
  r.clock.advance(2 * HOUR);
  const expired = await r.feedback.complaints.sweep();
  t.same(expired.map((c) => c.id), [acmeCase!.id], 'the unanswered case expired at 49 h');
  t.match(await state.getTenant(acme.tenant.id), { status: 'suspended', statusReason: /complaint case .* no proof of consent/ });
  t.equal((await state.getTenant(beta.tenant.id))?.status, 'active', 'proof submitted in time: not suspended');
  t.match(await state.readOutcomes({ types: ['AdminAction'] }), [{ action: 'tenant.suspend', target: acme.tenant.id, actor: 'feedback.complaints' }]);
  t.same(await r.feedback.complaints.sweep(), [], 'a second sweep suspends nothing more');

  await new Promise((resolve) => setTimeout(resolve, 1100)); // the ingress caches tenant status for 1 s
  const refused = await r.send(acme.apiKey, 'news@acme.test', 'frank@dest.test');
  t.match(refused, { accepted: false, response: /^550 5\.7\.1/ }, 'suspended tenant refused');

  await r.feedback.complaints.review(betaCase!.id, false, 'abuse-desk', 'signup form has no confirmation');
  t.match(await state.getTenant(beta.tenant.id), { status: 'suspended', statusReason: /proof of consent rejected/ });
  t.match(await state.getComplaintCase(betaCase!.id), { status: 'rejected', consent: { source: 'signup form on beta.test' } });
});
