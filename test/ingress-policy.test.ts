/**
 * The ingress's refusals on the wire (raw sockets), each with its table reply and nothing queued:
 * capabilities before/after TLS, AUTH before TLS, no AUTH, wrong / revoked / mismatched keys,
 * foreign envelope sender and From: header, size limit, recipient cap, suspended tenant,
 * connections per tenant, and the relay-network tenant without AUTH.
 */
import t from 'tap';
import type { RejectionRecord } from '../src/domain/index.ts';
import { startRelayFixture, SmtpWire, type RelayFixture, type TestTenant } from './support/relay-fixture.ts';

const relay = await startRelayFixture(t, {
  config: { ingress: { limits: { maxMessageSize: 4096, maxRecipients: 3, maxConnectionsPerTenant: 2 } } },
});
// Created first: the relay-network index is built on the first no-AUTH MAIL FROM.
const legacy = await relay.tenant('legacy', { relayNetworks: ['127.0.0.77/32'] });
const acme = await relay.tenant('acme');
const other = await relay.tenant('other');

function message(from: string, extra = ''): string {
  return `From: ${from}\r\nTo: x@example.org\r\nSubject: test\r\n${extra}\r\nhello\r\n.\r\n`;
}

async function tlsSession(options: { localAddress?: string } = {}): Promise<SmtpWire> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission, ...options });
  await wire.command('EHLO client.test');
  await wire.startTls();
  await wire.command('EHLO client.test');
  return wire;
}

async function authed(tenant: TestTenant, username = 'apikey'): Promise<SmtpWire> {
  const wire = await tlsSession();
  const reply = await wire.authPlain(username, tenant.apiKey);
  if (reply.code !== 235) throw new Error(`AUTH failed: ${reply.line}`);
  return wire;
}

/**
 * Rejection records with this reason, waiting (bounded) until at least `atLeast` are there:
 * records are written after the reply, batched per event-loop turn, so they land a moment later.
 */
async function rejections(r: RelayFixture, reason: string, atLeast = 1): Promise<RejectionRecord[]> {
  for (let waited = 0; ; waited += 20) {
    const records = ((await r.state.readOutcomes({ types: ['Rejection'] })) as RejectionRecord[]).filter((record) => record.reason === reason);
    if (records.length >= atLeast || waited >= 5000) return records;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

t.test('capabilities: AUTH only after TLS; AUTH before TLS is refused with 538 5.7.11', async (t) => {
  const { wire, greeting } = await SmtpWire.open({ port: relay.ports.submission });
  t.match(greeting.line, /^220 relay\.ferry\.test ESMTP/);
  const plain = await wire.command('EHLO client.test');
  for (const capability of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'SIZE 4096']) t.ok(plain.lines.includes(capability), capability);
  t.notOk(plain.lines.some((line) => line.startsWith('AUTH')), 'no AUTH advertised in cleartext');
  t.match((await wire.authPlain('apikey', acme.apiKey)).line, /^538 5\.7\.11 /);
  t.match((await wire.command('MAIL FROM:<a@acme.test>')).line, /^530 5\.7\.0 Authentication required$/);
  await wire.startTls();
  const secure = await wire.command('EHLO client.test');
  t.ok(secure.lines.includes('AUTH PLAIN LOGIN'), 'AUTH advertised after STARTTLS');
  t.notOk(secure.lines.includes('STARTTLS'));
  wire.close();
});

t.test('no AUTH → 530 5.7.0 at MAIL FROM', async (t) => {
  const wire = await tlsSession();
  t.equal((await wire.command('MAIL FROM:<a@acme.test>')).line, '530 5.7.0 Authentication required');
  t.match((await wire.command('RCPT TO:<x@example.org>')).line, /^503 5\.5\.1 /);
  wire.close();
  t.ok((await rejections(relay, 'auth.required', 2)).length >= 2, 'Rejection records written');
});

t.test('wrong key, revoked key and a key of another tenant → 535 5.7.8', async (t) => {
  const wire = await tlsSession();
  t.equal((await wire.authPlain('apikey', 'fy_wrong')).line, '535 5.7.8 Authentication credentials invalid');
  t.match((await wire.authPlain('acme', other.apiKey)).line, /^535 5\.7\.8 /, 'username names another tenant');
  t.match((await wire.authPlain('nobody', acme.apiKey)).line, /^535 5\.7\.8 /, 'unknown tenant name');
  const revoked = await relay.tenant('revoked');
  await relay.state.revokeApiKey(revoked.key.id);
  t.match((await wire.authPlain('apikey', revoked.apiKey)).line, /^535 5\.7\.8 /, 'revoked key');
  t.equal((await wire.authPlain('acme', acme.apiKey)).code, 235, 'the right key still works on the same session');
  wire.close();
});

t.test('foreign sender domain: envelope and From: header → 550 5.7.1, nothing queued', async (t) => {
  const before = (await relay.spool.stats()).messages;
  const wire = await authed(acme);
  t.match((await wire.command('MAIL FROM:<x@other.test>')).line, /^550 5\.7\.1 Sender domain other\.test is not a sending domain/);
  t.match((await wire.command('MAIL FROM:<x@unknown.test>')).line, /^550 5\.7\.1 /);
  t.match((await wire.command('MAIL FROM:<>')).line, /^550 5\.7\.1 /, 'null sender');
  t.match((await wire.command('MAIL FROM:<news@acme.test>')).line, /^250 /);
  t.match((await wire.command('RCPT TO:<x@example.org>')).line, /^250 /);
  t.match((await wire.command('DATA')).line, /^354 /);
  wire.write(message('Boss <boss@other.test>'));
  t.match((await wire.read()).line, /^550 5\.7\.1 From: header domain other\.test is not a sending domain/);
  t.match((await wire.command('MAIL FROM:<news@acme.test>')).line, /^250 /, 'the session goes on');
  wire.close();
  t.equal((await relay.spool.stats()).messages, before);
  const records = await rejections(relay, 'sender.header-foreign-domain');
  t.match(records.at(-1), { stage: 'data', tenantId: acme.tenant.id, mailFrom: 'news@acme.test', recipients: ['x@example.org'] });
});

t.test('size limit: SIZE= over the limit and an oversized DATA → 552 5.3.4', async (t) => {
  const before = (await relay.spool.stats()).messages;
  const wire = await authed(acme);
  t.match((await wire.command('MAIL FROM:<news@acme.test> SIZE=5000')).line, /^552 5\.3\.4 /);
  await wire.command('MAIL FROM:<news@acme.test>');
  await wire.command('RCPT TO:<x@example.org>');
  await wire.command('DATA');
  wire.write(message('news@acme.test', `X-Pad: ${'a'.repeat(5000)}\r\n`));
  t.match((await wire.read()).line, /^552 5\.3\.4 Message exceeds the maximum size of 4096 bytes$/);
  wire.close();
  t.equal((await relay.spool.stats()).messages, before);
});

t.test('recipient cap → 452 4.5.3; the accepted recipients still go through', async (t) => {
  const wire = await authed(acme);
  await wire.command('MAIL FROM:<news@acme.test>');
  for (const n of [1, 2, 3]) t.match((await wire.command(`RCPT TO:<r${n}@example.org>`)).line, /^250 /);
  t.match((await wire.command('RCPT TO:<r4@example.org>')).line, /^452 4\.5\.3 Too many recipients/);
  await wire.command('DATA');
  wire.write(message('news@acme.test'));
  const queued = await wire.read();
  t.match(queued.line, /^250 2\.0\.0 queued as /);
  const id = queued.line.split(' ').at(-1) ?? '';
  t.same((await relay.spool.getMessage(id))?.envelope.rcptTo, ['r1@example.org', 'r2@example.org', 'r3@example.org']);
  wire.close();
});

t.test('suspended tenant → 550 5.7.1 with a support reference at MAIL FROM', async (t) => {
  const paused = await relay.tenant('paused');
  await relay.state.setTenantStatus(paused.tenant.id, 'suspended', 'complaints');
  const wire = await authed(paused);
  const reply = await wire.command('MAIL FROM:<a@paused.test>');
  t.equal(reply.line, `550 5.7.1 Account suspended, contact support (support reference ${paused.tenant.id})`);
  t.notMatch(reply.line, /complaints/, 'the internal reason is not quoted');
  wire.close();
});

t.test('connections per tenant: the third concurrent session of a tenant is refused', async (t) => {
  const busy = await relay.tenant('busy');
  const first = await authed(busy);
  const second = await authed(busy);
  const third = await tlsSession();
  t.match((await third.authPlain('apikey', busy.apiKey)).line, /^421 4\.7\.0 Too many concurrent connections for this account/);
  first.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const again = await authed(busy);
  t.pass('a slot is free again after a session closed');
  for (const wire of [second, third, again]) wire.close();
});

t.test('relay-network tenant: no AUTH from its network only', async (t) => {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission, localAddress: '127.0.0.77' });
  await wire.command('EHLO legacy-app.test');
  t.match((await wire.command('MAIL FROM:<app@legacy.test>')).line, /^250 /);
  t.match((await wire.command('RCPT TO:<x@example.org>')).line, /^250 /);
  await wire.command('DATA');
  wire.write(message('app@legacy.test'));
  const queued = await wire.read();
  t.match(queued.line, /^250 2\.0\.0 queued as /);
  const stored = await relay.spool.getMessage(queued.line.split(' ').at(-1) ?? '');
  t.equal(stored?.tenantId, legacy.tenant.id);
  t.equal(stored?.clientIp, '127.0.0.77');
  t.match(stored?.body.toString() ?? '', /with ESMTP id .*\r\n\t\(tenant \S+ by relay network\);/s, 'Received says how the tenant was known');
  wire.close();

  const outsider = await SmtpWire.open({ port: relay.ports.submission, localAddress: '127.0.0.78' });
  await outsider.wire.command('EHLO legacy-app.test');
  t.match((await outsider.wire.command('MAIL FROM:<app@legacy.test>')).line, /^530 5\.7\.0 /);
  outsider.wire.close();
});
