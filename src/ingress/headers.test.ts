import t from 'tap';
import { addHeaderFields, fromAddresses, headerValue, parseHeaderFields, receivedHeader, splitHeaderSection } from './headers.ts';

const message = Buffer.from('From: "Doe, John" <John@Example.COM>\r\nSubject: a\r\n  folded\r\nTo: x@y.test\r\n\r\nbody\r\n');

t.test('header section and fields', async (t) => {
  const end = splitHeaderSection(message);
  t.equal(message.subarray(end, end + 2).toString(), '\r\n');
  const fields = parseHeaderFields(message.subarray(0, end).toString('utf8'));
  t.same(fields.map((f) => f.name), ['from', 'subject', 'to']);
  t.equal(headerValue(fields, 'subject'), 'a folded');
  t.equal(splitHeaderSection(Buffer.from('\r\nbody only\r\n')), 0);
  t.equal(splitHeaderSection(Buffer.from('Subject: no body\r\n')), 18, 'no blank line: everything is header');
});

t.test('From: addresses in their common shapes', async (t) => {
  const from = (value: string) => fromAddresses([{ name: 'from', value }]);
  t.same(from('"Doe, John" <John@Example.COM>'), ['john@example.com']);
  t.same(from('a@b.test'), ['a@b.test']);
  t.same(from('a@b.test (comment with x@evil.test), c@d.test'), ['a@b.test', 'c@d.test']);
  t.same(from('"x@evil.test" <real@good.test>'), ['real@good.test']);
  t.same(from('=?utf-8?q?J=C3=B6rg?= <j@good.test>'), ['j@good.test']);
  t.same(from('undisclosed'), []);
  t.same(fromAddresses(parseHeaderFields(message.toString('utf8', 0, splitHeaderSection(message)))), ['john@example.com']);
});

t.test('Received header and field insertion', async (t) => {
  const info = {
    heloName: 'client.test', clientHostname: '[127.0.0.1]', clientIp: '127.0.0.1', hostname: 'relay.test', protocol: 'ESMTPSA',
    messageId: '01ABC', tenantId: 'tn_x', via: 'auth', tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }, at: Date.UTC(2025, 0, 2, 3, 4, 5),
  } as const;
  const received = receivedHeader(info);
  t.match(received, /^Received: from client\.test \(\[127\.0\.0\.1\] \[127\.0\.0\.1\]\)\r\n\tby relay\.test \(Ferry\) with ESMTPSA id 01ABC\r\n/);
  t.match(received, /TLSv1\.3 with cipher TLS_AES_256_GCM_SHA384/);
  t.match(received, /authenticated tenant tn_x\);\r\n\tThu, 02 Jan 2025 03:04:05 \+0000\r\n$/);
  t.match(receivedHeader({ ...info, via: 'relay-network', tls: undefined }), /\(tenant tn_x by relay network\);/);
  const end = splitHeaderSection(message);
  const out = addHeaderFields(message, end, received, 'Message-ID: <1@relay.test>\r\n').toString();
  t.ok(out.startsWith('Received: from client.test'));
  t.match(out, /To: x@y\.test\r\nMessage-ID: <1@relay\.test>\r\n\r\nbody\r\n$/);
});
