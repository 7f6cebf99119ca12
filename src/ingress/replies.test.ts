import t from 'tap';
import { ACCEPT, refuse, tempfail, type VerdictReason } from '../domain/index.ts';
import { replyLine, sanitizeReplyText, smtpReplyFor } from './replies.ts';

const line = (reason: VerdictReason, kind: 'refuse' | 'tempfail' = 'refuse') =>
  replyLine(smtpReplyFor(kind === 'refuse' ? refuse(reason) : tempfail(reason)));

t.test('the reply table of ARCHITECTURE.md §4, row by row', async (t) => {
  t.equal(line('auth.failed'), '535 5.7.8 Authentication credentials invalid');
  t.match(line('auth.tls-required'), /^538 5\.7\.11 /);
  t.equal(line('auth.required'), '530 5.7.0 Authentication required');
  t.match(line('sender.foreign-domain'), /^550 5\.7\.1 /);
  t.match(line('sender.header-foreign-domain'), /^550 5\.7\.1 From: header/);
  t.match(line('recipient.suppressed'), /^550 5\.7\.1 /);
  t.match(line('recipient.too-many', 'tempfail'), /^452 4\.5\.3 /);
  t.match(line('rate.limited', 'tempfail'), /^451 4\.7\.1 /);
  t.equal(line('credits.insufficient', 'tempfail'), '452 4.7.1 insufficient credits');
  t.match(line('content.refused'), /^550 5\.7\.1 /);
  t.match(line('message.too-large'), /^552 5\.3\.4 /);
  t.match(line('message.bare-line-ending'), /^554 5\.6\.0 /);
  t.match(line('message.smuggling'), /^554 5\.6\.0 /);
  t.match(line('internal.failure', 'tempfail'), /^451 4\.3\.0 /);
  t.match(line('auth.throttled', 'tempfail'), /^454 4\.7\.0 /);
  t.equal(replyLine(smtpReplyFor(ACCEPT, { messageId: '01ABC' })), '250 2.0.0 queued as 01ABC');
});

t.test('suspended and closed tenants get 550 5.7.1 with the support reference', async (t) => {
  t.equal(replyLine(smtpReplyFor(refuse('tenant.suspended', undefined, 'tn_abc'))), '550 5.7.1 Account suspended, contact support (support reference tn_abc)');
  t.match(replyLine(smtpReplyFor(refuse('tenant.closed', undefined, 'tn_abc'))), /^550 5\.7\.1 Account closed.*support reference tn_abc/);
});

t.test('verdict text replaces the default wording, the code stays', async (t) => {
  t.equal(replyLine(smtpReplyFor(refuse('sender.foreign-domain', 'example.org is not yours'))), '550 5.7.1 example.org is not yours');
  t.equal(replyLine(smtpReplyFor(refuse('content.refused', 'Message refused (spam)', 'Q42'))), '550 5.7.1 Message refused (spam) (support reference Q42)');
});

t.test('internal failure is never a 5xx, even when a check wrongly refuses with it', async (t) => {
  t.equal(smtpReplyFor(refuse('internal.failure')).code, 451);
});

t.test('a temporary reply on a closing connection becomes 421 with the same enhanced code', async (t) => {
  t.equal(replyLine(smtpReplyFor(tempfail('auth.throttled'), { closing: true })), '421 4.7.0 Too many authentication failures from your address, try again later');
  t.equal(smtpReplyFor(tempfail('connection.limit'), { closing: true }).code, 421);
  t.equal(smtpReplyFor(refuse('auth.failed'), { closing: true }).code, 535, 'a 5xx stays as it is');
});

t.test('an accept reply needs the message id; text never splits lines', async (t) => {
  t.throws(() => smtpReplyFor(ACCEPT), TypeError);
  t.equal(sanitizeReplyText('bad\r\n250 ok'), 'bad 250 ok');
  t.equal(replyLine(smtpReplyFor(refuse('sender.foreign-domain', 'x\ny'))), '550 5.7.1 x y');
});
