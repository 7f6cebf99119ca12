/**
 * The inbound-email parser on small hand-written messages, one per format it recognises:
 * RFC 3464 DSN, plain-text Exim, ARF complaint, auto-reply, success DSN, ordinary mail; plus
 * the size cap, a broken Content-Type, VERP candidates and rules-file validation.
 */
import t from 'tap';
import { compileBounceRules } from './rules.ts';
import { parseBounce } from './parse.ts';
import { findVerpSubject, verpCandidates } from './verp.ts';
import { toContract } from './report.ts';

const dsn = (action: string, status: string, diagnostic: string) => [
  'From: MAILER-DAEMON@mx.example.net', 'To: sender@example.org', 'Subject: Undelivered Mail Returned to Sender',
  'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"', '', '--B1', 'Content-Type: text/plain', '',
  'I\'m sorry to have to inform you that your message could not be delivered.', '', '--B1',
  'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.example.net', '',
  'Final-Recipient: rfc822; Rcpt@Example.COM', `Action: ${action}`, `Status: ${status}`, `Diagnostic-Code: smtp; ${diagnostic}`, '',
  '--B1', 'Content-Type: message/rfc822', '', 'Return-Path: <bounces+r.TOKEN@bounce.example.org>', 'To: rcpt@example.com', 'Subject: hi', '', 'body', '--B1--', '',
].join('\r\n');

t.test('RFC 3464 DSN', async (t) => {
  const report = parseBounce(dsn('failed', '5.1.1', '550 5.1.1 <rcpt@example.com>: Recipient address rejected: User unknown'));
  t.same(toContract(report), { bounce: true, feedback: false, recipients: [{ address: 'rcpt@example.com', status: '5.1.1', hard: true, class: 'user-unknown', reason: 'user-unknown' }] });
  const delayed = parseBounce(dsn('delayed', '4.4.1', 'connect to mx: Connection timed out'));
  t.match(delayed.recipients[0], { hard: false, class: 'expired' }, 'a delay notice is a soft bounce');
  const success = parseBounce(dsn('delivered', '2.0.0', '250 ok'));
  t.equal(success.bounce, false, 'a success DSN is not a bounce');
});

t.test('plain-text Exim bounce with X-Failed-Recipients', async (t) => {
  const raw = ['From: Mail Delivery System <Mailer-Daemon@mx.example.org>', 'To: sender@example.org', 'X-Failed-Recipients: gone@example.jp',
    'Subject: Mail delivery failed: returning message to sender', '', 'A message that you sent could not be delivered to one or more of its',
    'recipients. This is a permanent error. The following address(es) failed:', '', '  gone@example.jp',
    '    SMTP error from remote mail server after RCPT TO:<gone@example.jp>:', '    host mx.example.jp [192.0.2.1]: 550 5.2.2 Mailbox full', ''].join('\n');
  t.match(parseBounce(raw), { bounce: true, recipients: [{ address: 'gone@example.jp', class: 'mailbox-full', hard: false, status: '5.2.2' }] });
});

t.test('ARF complaint', async (t) => {
  const raw = ['From: feedback@isp.example', 'To: fbl@example.org', 'Subject: abuse report',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F"', '', '--F', 'Content-Type: text/plain', '', 'complaint', '--F',
    'Content-Type: message/feedback-report', '', 'Feedback-Type: abuse', 'User-Agent: x/1', 'Version: 1', 'Original-Rcpt-To: <Who@Example.net>', '',
    '--F', 'Content-Type: text/rfc822-headers', '', 'From: sender@example.org', 'To: who@example.net', '', '--F--', ''].join('\r\n');
  t.same(toContract(parseBounce(raw)), { bounce: false, feedback: true, recipients: [{ address: 'who@example.net', status: '', hard: false, class: 'feedback', reason: 'feedback' }] });
});

t.test('auto-replies and ordinary mail are not bounces', async (t) => {
  const vacation = 'From: Person <person@example.org>\nTo: sender@example.org\nSubject: Automatic reply: hello\nAuto-Submitted: auto-replied\n\nI am out of the office.\n';
  t.match(parseBounce(vacation), { bounce: false, feedback: false, recipients: [{ address: 'person@example.org', reason: 'vacation' }] });
  t.same(toContract(parseBounce('From: a@example.org\nSubject: lunch?\n\nsee you\n')), { bounce: false, feedback: false, recipients: [] });
});

t.test('input beyond the cap is not read; a lost Content-Type header is survived', async (t) => {
  const huge = dsn('failed', '5.1.1', 'User unknown') + 'x'.repeat(3 * 1024 * 1024);
  t.equal(parseBounce(huge, { limits: { maxBytes: 64 * 1024, maxParts: 16, maxDepth: 4 } }).bounce, true);
  const headless = dsn('failed', '5.1.1', 'User unknown').replace(/Content-Type: multipart\/report[^\r]*\r\n/, '');
  t.equal(parseBounce(headless).recipients[0]?.class, 'user-unknown', 'boundary guessed from the body');
});

t.test('a local delivery program\'s exit code (X-Unix) is a mailer error, whatever the transcript says', async (t) => {
  const raw = dsn('failed', '5.3.0', '77').replace('Diagnostic-Code: smtp; 77', 'Diagnostic-Code: X-Unix; 77')
    .replace('could not be delivered.', 'could not be delivered.\r\n----- Transcript of session follows -----\r\nprocmail: mailbox over quota');
  t.match(parseBounce(raw).recipients[0], { class: 'other', reason: 'mailer-error', hard: false, status: '5.3.0' });
});

t.test('delivery-status fields in the text: a lost MIME structure or a "technical report"', async (t) => {
  const lost = dsn('failed', '5.1.1', '550 5.1.1 <rcpt@example.com>... User unknown').replace(/^--B1(--)?\r$/gm, '');
  t.match(parseBounce(lost), { bounce: true, recipients: [{ address: 'rcpt@example.com', class: 'user-unknown', status: '5.1.1' }] });
  const report = ['From: MAILER-DAEMON@mail.example.net', 'To: sender@example.org', 'Subject: Delivery Status Notification (Failure)', '',
    'An error occurred while trying to deliver the mail to the following recipients:', 'rcpt@example.com', '', 'Technical report:', '',
    'Reporting-MTA: dns; out.example.net', '', 'Action: failed', 'Final-Recipient: rfc822; rcpt@example.com',
    'Diagnostic-Code: smtp; 552 5.2.2 <rcpt@example.com>... Mailbox full', 'Status: 5.2.2', ''].join('\n');
  t.match(parseBounce(report).recipients, [{ address: 'rcpt@example.com', class: 'mailbox-full', status: '5.2.2' }]);
});

t.test('plain-text details: alias origins are not recipients, a 1&1-style original marker cuts the text', async (t) => {
  const exim = ['From: Mail Delivery System <Mailer-Daemon@mx.example.org>', 'To: sender@example.org', 'Subject: Mail delivery failed: returning message to sender', '',
    'A message that you sent could not be delivered to one or more of its', 'recipients. This is a permanent error. The following address(es) failed:', '',
    '  target@example.jp', '    (generated from alias@example.org)', '    SMTP error from remote mail server after end of data:',
    '    host mx.example.jp [192.0.2.1]: 550 5.7.1 Message rejected by policy', ''].join('\n');
  t.same(parseBounce(exim).recipients.map((r) => r.address), ['target@example.jp']);
  const cut = ['From: "Mail Delivery System" <mailer-daemon@relay.example.de>', 'To: owner@example.fr', 'Subject: Mail delivery failed: returning message to sender', '',
    'A message that you sent could not be delivered to one or more of', 'its recipients. This is a permanent error. The following address(es)', 'failed:', '',
    'owner@example.fr:', 'SMTP error from remote server for TEXT command, host: mx.example.fr reason: 550 5.7.1 Message rejected', '', '',
    '--- The header of the original message is following. ---', '', 'From: <other@example.fr>', 'To: third@example.com', ''].join('\n');
  t.same(parseBounce(cut).recipients.map((r) => r.address), ['owner@example.fr']);
});

t.test('a Postfix "SMTP server: errors from" notice names the recipient of its transcript', async (t) => {
  const raw = ['From: MAILER-DAEMON@mx.example.net (Mail Delivery System)', 'To: postmaster@mx.example.net (Postmaster)',
    'Subject: Postfix SMTP server: errors from localhost[127.0.0.1]', '', 'Transcript of session follows.', '', ' Out: 220 mx.example.net ESMTP',
    ' In:  EHLO client.example.net', ' Out: 250-STARTTLS', ' In:  MAIL FROM:<sender@example.org>', ' Out: 250 2.1.0 Ok',
    ' In:  RCPT TO:<rcpt@example.com>', ' Out: 250 2.1.5 Ok', ' In:  DATA', ' Out: 354 End data with <CR><LF>.<CR><LF>',
    ' Out: 451 4.3.0 Error: queue file write error', ''].join('\n');
  t.match(parseBounce(raw), { bounce: true, recipients: [{ address: 'rcpt@example.com', status: '4.3.0', class: 'other', hard: false }] });
});

t.test('VERP candidates and the signed-token hook', async (t) => {
  const raw = dsn('failed', '5.1.1', 'User unknown');
  t.same(verpCandidates(raw, '<bounces+r.x@bounce.example.org>').slice(0, 1), ['bounces+r.x@bounce.example.org']);
  t.ok(verpCandidates(raw).includes('bounces+r.token@bounce.example.org'), 'the returned original\'s Return-Path is a candidate');
  const parse = (a: string) => (a.startsWith('bounces+r.token@') ? { messageId: 'M1' } : undefined);
  t.same(findVerpSubject(raw, parse), { address: 'bounces+r.token@bounce.example.org', subject: { messageId: 'M1' } });
  t.equal(findVerpSubject(raw, () => undefined), undefined, 'forged or unsigned: nothing');
});

t.test('a bad rules file fails with the rule named', async (t) => {
  t.throws(() => compileBounceRules({ rules: [{ class: 'nope', match: ['x'] }] }), { code: 'MTA_ERR_CONFIG_INVALID', message: /rule 0: unknown class/ });
  t.throws(() => compileBounceRules({ rules: [{ class: 'other', match: ['('] }] }), { message: /rule 0 pattern 0/ });
  t.throws(() => compileBounceRules({}), { message: /rules/ });
});
