/**
 * One line per real SMTP reply met in the wild (ZoneMTA test/bounces-test.js style): the
 * classifier must put each in its class with the right hard/soft flag. Also: status-code
 * fallbacks, SMTP-phase adjustments, and code extraction from reply text.
 */
import t from 'tap';
import { classifyReply, extractReplyCodes } from './classify.ts';
import type { BounceClass } from './classes.ts';

type Row = readonly [reply: string, cls: BounceClass, hard: boolean];

const REAL_REPLIES: readonly Row[] = [
  // Gmail
  ['550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient\'s email address', 'user-unknown', true],
  ['552-5.2.2 The email account that you tried to reach is over quota. Please direct the recipient to', 'mailbox-full', false],
  ['550-5.2.1 The email account that you tried to reach is disabled.', 'user-unknown', false],
  ['550-5.7.26 This message does not have authentication information or fails to pass authentication checks', 'auth-failure', false],
  ['550-5.7.26 Unauthenticated email from example.jp is not accepted due to domain\'s DMARC policy', 'auth-failure', false],
  ['550-5.7.1 Our system has detected that this message is likely unsolicited mail.', 'spam-block', false],
  ['421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address', 'rate-limit', false],
  ['550-5.7.25 The IP address sending this message does not have a PTR record setup', 'policy-block', false],
  ['550-5.7.1 [192.0.2.222 13] Messages with multiple addresses in From: header are not accepted', 'policy-block', false],
  // Microsoft / Outlook / Exchange
  ['550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup', 'user-unknown', true],
  ['550 5.4.1 Recipient address rejected: Access denied. AS(201806281)', 'user-unknown', true],
  ['550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification', 'auth-failure', false],
  ['550 5.7.606 Access denied, banned sending IP [192.0.2.1]', 'policy-block', false],
  ['550 Requested action not taken: mailbox unavailable', 'user-unknown', true],
  ['554 The mail could not be delivered to the recipient because the domain is not reachable.', 'domain-unknown', true],
  ['550 domain [example.com] mismatches client ip 192.0.2.225', 'policy-block', false],
  ['Your message wasn\'t delivered to kijitora@example.it because the address couldn\'t be found.', 'user-unknown', true],
  // Yahoo / AOL
  ['554 delivery error: dd This user doesn\'t have a yahoo.com account (x@yahoo.com) [0]', 'user-unknown', true],
  ['554 delivery error: dd Sorry your message to x@yahoo.com cannot be delivered. This account has been disabled or discontinued', 'user-unknown', false],
  ['421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints', 'rate-limit', false],
  ['554 INVALID IP FOR SENDING MAIL OF DOMAIN', 'policy-block', false],
  // Orange / La Poste / Free (France)
  ['550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416]', 'user-unknown', true],
  ['552 5.1.1 Boite du destinataire pleine. Recipient mailbox full. OFR_417', 'mailbox-full', false],
  ['550 5.2.0 Mail rejete. Mail rejected. OFR_506 [506]', 'policy-block', false],
  ['421 4.2.0 Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR005_505', 'other', false],
  // GMX / Web.de, Mail.ru, QQ
  ['550 5.1.1 Requested action not taken: mailbox unavailable (Mailbox nicht vorhanden)', 'user-unknown', true],
  ['550 Message was not accepted -- invalid mailbox. Local mailbox x@mail.ru is unavailable: user not found', 'user-unknown', true],
  ['550 Ip frequency limited [Blocked IP 192.0.2.22]', 'rate-limit', false],
  // Postfix
  ['550 5.1.1 <x@example.jp>: Recipient address rejected: User unknown in local recipient table', 'user-unknown', true],
  ['Host or domain name not found. Name service error for name=example.invalid type=A: Host not found', 'domain-unknown', true],
  ['Name service error for domain example.com: Host not found, try again', 'expired', false],
  ['450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.1]', 'policy-block', false],
  ['554 5.7.1 <x@example.org>: Relay access denied', 'policy-block', false],
  ['connect to mx.example.com[192.0.2.1]:25: Connection timed out', 'expired', false],
  ['550 5.7.1 Service unavailable; client [192.0.2.1] blocked using zen.spamhaus.org', 'policy-block', false],
  // Exim
  ['550 Unrouteable address', 'domain-unknown', true],
  ['retry timeout exceeded', 'expired', false],
  ['all hosts have been failing for a long time and were last tried after this message arrived', 'expired', false],
  ['an MX or SRV record indicated no SMTP service', 'domain-unknown', true],
  ['550 Administrative prohibition', 'policy-block', false],
  // Sendmail
  ['550 5.1.1 <x@example.org>... User unknown', 'user-unknown', true],
  ['452 4.4.5 Insufficient disk space; try again later', 'other', false],
  ['450 4.7.1 Access denied. IP name lookup failed [192.0.2.222]', 'policy-block', false],
  ['550 5.6.9 improper use of 8-bit data in message header', 'content', false],
  ['554 5.3.4 Message too big for system', 'other', false],
  // qmail
  ['Sorry, no mailbox here by that name. (#5.1.1)', 'user-unknown', true],
  ['552 Error: disk quota exceeded', 'mailbox-full', false],
  ['I\'m not going to try again; this message has been in the queue too long.', 'expired', false],
  // Amazon SES / SendGrid / misc
  ['550 5.2.0 Message Filtered', 'policy-block', false],
  ['554 Transaction failed: Message rejected: Email address is not verified.', 'policy-block', false],
  ['554 5.7.1 Message rejected as spam by Content Filtering.', 'spam-block', false],
  ['550 5.7.1 Virus detected: Win.Trojan.Agent', 'content', false],
  ['550 5.7.23 The message was rejected because of Sender Policy Framework violation', 'auth-failure', false],
  ['550 Denied by policy', 'policy-block', false],
  ['554 Host network not allowed', 'policy-block', false],
  ['550 5.5.0 Requested action not taken: mailbox unavailable (account expired)', 'user-unknown', false],
  // Lotus Domino names its directory: a definite lookup, hard without any status code
  ['Recipient jane.roe (jroe@example.net) is not listed in the Domino Directory', 'user-unknown', true],
  // the recipient's own filter refused the sender: soft, even under X.1.1
  ['550 5.1.1 RCP-P2 Refused due to recipient preferences (see the postmaster site)', 'policy-block', false],
  ['550 5.7.1 This recipient is only accepting mail from specific email addresses', 'policy-block', false],
  ['550 Message rejected due to the user\'s filters', 'policy-block', false],
  // Postfix cleanup failure; an EHLO capability list is not a TLS failure
  ['Out: 250-STARTTLS Out: 250-8BITMIME In: DATA Out: 451 4.3.0 Error: queue file write error', 'other', false],
  ['530 5.7.0 Must issue a STARTTLS command first', 'policy-block', false],
];

for (const [reply, cls, hard] of REAL_REPLIES) {
  const verdict = classifyReply({ text: reply });
  t.equal(`${verdict.class}/${verdict.hard ? 'hard' : 'soft'}`, `${cls}/${hard ? 'hard' : 'soft'}`, reply.slice(0, 90));
}

t.test('enhanced status decides when no rule speaks', async (t) => {
  t.equal(classifyReply({ enhanced: '5.1.1', text: '' }).class, 'user-unknown');
  t.equal(classifyReply({ enhanced: '5.2.2', text: 'nope' }).class, 'mailbox-full');
  t.equal(classifyReply({ enhanced: '5.7.26', text: 'User unknown' }).class, 'auth-failure', 'a trusted code wins over text');
  t.equal(classifyReply({ enhanced: '5.6.9', text: '' }).class, 'content', 'an unlisted detail falls back to its subject');
  t.equal(classifyReply({ enhanced: '4.4.7', action: 'delayed', text: '' }).class, 'expired');
  t.equal(classifyReply({ text: 'something odd' }).class, 'other');
});

t.test('hard needs a permanent failure for domains, never for sender-side problems', async (t) => {
  t.equal(classifyReply({ code: 550, text: 'Host or domain name not found' }).hard, true);
  t.equal(classifyReply({ code: 450, text: 'Domain not found' }).hard, false);
  t.equal(classifyReply({ code: 550, text: 'blocked using zen.spamhaus.org' }).hard, false);
});

t.test('the SMTP phase corrects address-level verdicts', async (t) => {
  const mailFrom = classifyReply({ text: 'SMTP error from remote mail server after MAIL FROM:<a@b.example>: 553 5.1.0 neko.example.com does not exist' });
  t.equal(mailFrom.class, 'policy-block', 'refused at MAIL FROM: the sender, not the address');
  const data = classifyReply({ text: '550 : User unknown', context: '>>> DATA\n<<< 550 : User unknown\n554 5.0.0 Service unavailable' });
  t.match(data, { class: 'policy-block', reason: 'filtered', hard: false }, '"user unknown" as the reply to DATA is a filter');
  const pipelined = classifyReply({ text: '550 5.1.1 User unknown', context: '>>> DATA\n<<< 550 5.1.1 User unknown\n<<< 554 no valid recipients' });
  t.equal(pipelined.class, 'user-unknown', 'pipelined RCPT reply after DATA is still the RCPT verdict');
  t.equal(classifyReply({ text: 'dd This user doesn\'t have a yahoo.com account', context: 'in reply to end of DATA command' }).hard, true);
});

t.test('a bare "user unknown" under a mailbox or policy status is a filter unless refused at RCPT', async (t) => {
  t.match(classifyReply({ text: '550 5.2.1 <rcpt@example.net>... User Unknown' }), { class: 'policy-block', reason: 'filtered', hard: false });
  t.match(classifyReply({ enhanced: '5.7.1', text: '550 5.7.1 550 User Unknown: rcpt@example.net' }), { class: 'policy-block', hard: false });
  const atRcpt = classifyReply({ text: 'SMTP error from remote mail server after RCPT TO:<rcpt@example.net>: 550 5.2.1 <rcpt@example.net>... User Unknown' });
  t.match(atRcpt, { class: 'user-unknown', hard: true }, 'refused at RCPT: the address verdict stands');
});

t.test('a product that relays refusals without their stage needs corroboration for "user unknown"', async (t) => {
  const relayed = (text: string, enhanced?: string) => classifyReply({ text, enhanced, unknownUserNeedsEvidence: true });
  t.match(relayed('550 rcpt@example.net... No such user', '5.0.0'), { class: 'policy-block', reason: 'filtered', hard: false });
  t.match(relayed('550 5.1.1 <rcpt@example.net>... User unknown'), { class: 'user-unknown', hard: true }, 'an X.1.x status corroborates');
  t.match(relayed('Remote host said: 550 <rcpt@example.net>... User unknown [RCPT_TO]'), { class: 'user-unknown', hard: true }, 'a tagged RCPT stage corroborates');
  t.match(relayed('550 Requested action not taken: mailbox unavailable (in reply to RCPT TO command)'), { class: 'user-unknown', hard: true });
  t.match(relayed('552 sorry, mailbox rcpt@example.net is over quota'), { class: 'mailbox-full' }, 'other verdicts are untouched');
  t.match(classifyReply({ text: '550 rcpt@example.net... No such user', enhanced: '5.0.0' }), { class: 'user-unknown', hard: true }, 'without the product context: hard');
});

t.test('codes are read from reply text', async (t) => {
  t.same(extractReplyCodes('Out: 250 2.1.5 Ok In: DATA Out: 451 4.3.0 Error: queue file write error'), { code: 451, enhanced: '4.3.0' }, 'success codes of a transcript are skipped');
  t.same(extractReplyCodes('550-5.7.26 Unauthenticated email'), { code: 550, enhanced: '5.7.26' });
  t.same(extractReplyCodes('host said: 452 4.2.2 over quota'), { code: 452, enhanced: '4.2.2' });
  t.same(extractReplyCodes('no codes at all in 2024'), { code: undefined, enhanced: undefined });
});
