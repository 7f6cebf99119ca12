/**
 * Reporting products (config/bounce-products.yaml) on hand-written bounces, one per product:
 * the signatures recognise the product's own markings, the reading applies in its context, and
 * the same words without the product's markings keep the generic verdict. Also: products-file
 * validation.
 */
import t from 'tap';
import { parseBounce } from './parse.ts';
import { compileBounceProducts } from './products.ts';

/** A plain-text bounce: header lines, a blank line, the body. */
const mail = (headers: readonly string[], body: readonly string[]) => [...headers, '', ...body, ''].join('\r\n');

const first = (raw: string) => parseBounce(raw).recipients[0];

t.test('Google Groups refusal in another language: the layout, not the words', async (t) => {
  const raw = mail(['From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>', 'To: poster@example.org',
    'Subject: Delivery Status Notification (Failure)', 'X-Failed-Recipients: dev-team@googlegroups.com', 'Content-Type: text/plain; charset=UTF-8'],
  ['Hallo poster@example.org,', 'die Gruppe dev-team existiert eventuell nicht oder Sie dürfen dort keine Beiträge posten.',
    'Weitere Informationen finden Sie in der Hilfe unter https://groups.google.com/support/.', 'Google Groups']);
  t.match(first(raw), { address: 'dev-team@googlegroups.com', class: 'policy-block', reason: 'rejected', hard: false });
});

/** A relayed refusal without its SMTP stage, as a filtering gateway writes it. */
const gatewayBounce = (from: string, extraHeaders: readonly string[], reply: string) => mail(
  [`From: ${from}`, 'To: sender@example.org', 'Subject: Message delivery has failed', ...extraHeaders],
  ['Unable to deliver message to: <rcpt@example.net>', 'Delivery failed for the following reason:', reply, 'This has been a permanent failure.']);

const GATEWAYS: ReadonlyArray<readonly [name: string, from: string, headers: readonly string[]]> = [
  ['MailFoundry', 'MAILER-DAEMON@gw.example.net', ['Received: from localhost (127.0.0.1) by gw.example.net (MAILFOUNDRY) id 00ab12; Mon, 3 Mar 2025 10:00:00 -0000']],
  ['SurfControl', 'MAILER-DAEMON@gw.example.net', ['X-Mailer: SurfControl E-mail Filter']],
  ['McAfee gateway', 'postmaster@gw.example.net', ['X-NAI-Header: Modified by McAfee Email and Web Security Virtual Appliance']],
  ['Activehunter', 'MAILER-DAEMON@gw.example.net', ['X-AHMAILID: 20250303T100000+0900-01234-0001-aa']],
  ['Zoho Mail', 'mailer-daemon@mail.zoho.com', ['X-Mailer: Zoho Mail']],
];

t.test('filtering gateways: a bare "user unknown" needs corroboration', async (t) => {
  for (const [name, from, headers] of GATEWAYS) {
    const bare = gatewayBounce(from, headers, 'Server mx.example.net[192.0.2.9] failed with: 550 <rcpt@example.net> No such user here');
    t.match(first(bare), { address: 'rcpt@example.net', class: 'policy-block', reason: 'filtered', hard: false }, `${name}: filtered`);
    const coded = gatewayBounce(from, headers, 'Server mx.example.net[192.0.2.9] failed with: 550 5.1.1 <rcpt@example.net> User unknown');
    t.match(first(coded), { class: 'user-unknown', hard: true }, `${name}: an X.1.1 status corroborates`);
  }
  const unmarked = gatewayBounce('MAILER-DAEMON@gw.example.net', [], 'Server mx.example.net[192.0.2.9] failed with: 550 <rcpt@example.net> No such user here');
  t.match(first(unmarked), { class: 'user-unknown', hard: true }, 'the same words from an unmarked MTA stay hard');
});

t.test('OpenMail / Mail2000 notices and Apache James notices', async (t) => {
  const openmail = mail(['Return-Path: <>', 'From: "Mail Deliver System" <MAILER-DAEMON>', 'To: sender@example.org', 'Subject: Returned Mail: User unknown'],
    ['The original message was received at Mon, 3 Mar 2025 10:00:00 +0900', '', '---The following addresses had delivery errors---', '', 'rcpt@example.net [User unknown]']);
  t.match(first(openmail), { address: 'rcpt@example.net', class: 'policy-block', hard: false });
  const james = mail(['From: postmaster@james.example.net', 'To: sender@example.org', 'Subject: [BOUNCE]'],
    ['Error: Invalid user address', '', 'Error message below:', '550 - Requested action not taken: no such user here', '', 'Message details:',
      '  Subject: hello', '  MAIL FROM: sender@example.org', '  RCPT TO: rcpt@example.net']);
  t.match(first(james), { address: 'rcpt@example.net', class: 'policy-block', reason: 'filtered', hard: false });
});

t.test('Yahoo failure notice: stage-less quotes need corroboration, a [RCPT_TO] tag is one', async (t) => {
  const notice = (reply: string) => mail(['From: MAILER-DAEMON@yahoo.com', 'To: sender@example.org', 'Subject: Failure Notice'],
    ['Sorry, we were unable to deliver your message to the following address.', '', '<rcpt@example.net>:', reply]);
  t.match(first(notice('550: : User unknown')), { address: 'rcpt@example.net', class: 'policy-block', hard: false });
  t.match(first(notice('Remote host said: 550 <rcpt@example.net>... User unknown [RCPT_TO]')), { class: 'user-unknown', hard: true });
});

t.test('fml refusing a post from a non-member is a failure notice for the list', async (t) => {
  const raw = mail(['From: lists-admin@example.org', 'To: poster@example.net', 'Subject: You poster@example.net are not member (dev ML)',
    'X-MLServer: fml [fml 4.0.3 release]'], ['You are not a member of this mailing list <dev@example.org>.']);
  t.match(parseBounce(raw), { bounce: true, recipients: [{ address: 'dev@example.org', class: 'policy-block', reason: 'rejected', hard: false }] });
});

t.test('a bad products file fails with the product named', async (t) => {
  t.throws(() => compileBounceProducts({}), { code: 'MTA_ERR_CONFIG_INVALID', message: /products/ });
  t.throws(() => compileBounceProducts({ products: [{ name: 'x', detect: [{ field: 'from', match: '(' }], readings: [{ class: 'other' }] }] }), { message: /product 0 \(x\) signature 0/ });
  t.throws(() => compileBounceProducts({ products: [{ name: 'x', detect: [{ field: 'from', match: 'a' }] }] }), { message: /says nothing/ });
  t.throws(() => compileBounceProducts({ products: [{ name: 'x', detect: [{ field: 'from', match: 'a' }], readings: [{ class: 'nope' }] }] }), { message: /unknown class/ });
});
