/**
 * Real SMTP clients against the real ingress (STARTTLS + AUTH, and implicit TLS): nodemailer,
 * swaks and Python's smtplib each get `250 2.0.0 queued as <id>`, and the spool holds that
 * message with the relay's Received (tenant, TLS, client IP, id) and a Message-ID; the state
 * store holds its Reception record.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import nodemailer from 'nodemailer';
import type { ReceptionRecord } from '../src/domain/index.ts';
import { startRelayFixture, type RelayFixture } from './support/relay-fixture.ts';

const run = promisify(execFile);
const QUEUED = /^250 2\.0\.0 queued as ([0-9A-Z]{23})$/m;

async function expectSpooled(t: Test, relay: RelayFixture, id: string, tenantId: string, extra: RegExp[] = []) {
  const message = await relay.spool.getMessage(id);
  t.ok(message, `spool holds ${id}`);
  if (!message) return;
  const text = message.body.toString('utf8');
  t.equal(message.tenantId, tenantId);
  t.match(text, new RegExp(`^Received: from \\S+ \\(\\[127\\.0\\.0\\.1\\] \\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby relay\\.ferry\\.test \\(Ferry\\) with ESMTPSA id ${id}\\r\\n\\t\\(using TLSv1\\.[23] with cipher \\S+\\)\\r\\n\\t\\(authenticated tenant ${tenantId}\\);`));
  for (const pattern of extra) t.match(text, pattern);
  t.equal(message.size, message.body.length);
  let records: ReceptionRecord[] = [];
  for (let i = 0; i < 50 && records.length === 0; i++) {
    records = (await relay.state.readOutcomes({ messageId: id, types: ['Reception'] })) as ReceptionRecord[];
    if (records.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(records.length, 1, 'one Reception record');
  t.match(records[0], { tenantId, messageId: id, clientIp: '127.0.0.1', size: message.size, reply: `250 2.0.0 queued as ${id}` });
}

t.test('three real clients: STARTTLS + AUTH → queued', async (t) => {
  const relay = await startRelayFixture(t);
  const { tenant, apiKey, domain } = await relay.tenant('acme');
  const port = relay.ports.submission;

  t.test('nodemailer (AUTH PLAIN, username = tenant name)', async (t) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
      auth: { user: 'acme', pass: apiKey }, authMethod: 'PLAIN',
    });
    const info = await transport.sendMail({ from: `Acme <news@${domain}>`, to: ['a@example.org', 'b@example.net'], subject: 'hi', text: 'hello from nodemailer' });
    transport.close();
    const id = QUEUED.exec(info.response)?.[1];
    t.ok(id, info.response);
    await expectSpooled(t, relay, id ?? '', tenant.id, [/^Message-ID: <[^>]+>\r\n/m]);
    const message = await relay.spool.getMessage(id ?? '');
    t.same(message?.envelope, { mailFrom: `news@${domain}`, rcptTo: ['a@example.org', 'b@example.net'] });
    t.equal(message?.fromDomain, domain);
  });

  t.test('nodemailer (AUTH LOGIN, username = tenant id)', async (t) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
      auth: { user: tenant.id, pass: apiKey }, authMethod: 'LOGIN',
    });
    const info = await transport.sendMail({ from: `news@${domain}`, to: 'c@example.org', subject: 'login', text: 'x', messageId: '<own-id@acme.test>' });
    transport.close();
    const id = QUEUED.exec(info.response)?.[1] ?? '';
    t.ok(id, info.response);
    const text = (await relay.spool.getMessage(id))?.body.toString('utf8') ?? '';
    t.equal(text.match(/^Message-ID:/gim)?.length, 1, 'an existing Message-ID is kept, none added');
    t.match(text, /^Message-ID: <own-id@acme\.test>\r\n/m);
  });

  t.test('swaks --tls --auth PLAIN (username apikey)', async (t) => {
    const { stdout } = await run('/usr/bin/swaks', [
      '--server', '127.0.0.1', '--port', String(port), '--tls', '--auth', 'PLAIN', '--auth-user', 'apikey', '--auth-password', apiKey,
      '--from', `ops@${domain}`, '--to', 'd@example.org', '--header', `From: ops@${domain}`, '--header', 'Subject: swaks', '--timeout', '10',
    ], { timeout: 20_000 });
    const id = /<~ {2}250 2\.0\.0 queued as ([0-9A-Z]{23})/.exec(stdout)?.[1];
    t.ok(id, 'swaks saw the queued reply');
    await expectSpooled(t, relay, id ?? '', tenant.id);
  });

  t.test("Python smtplib (starttls + login)", async (t) => {
    const script = [
      'import smtplib, ssl, sys, email.policy',
      'from email.message import EmailMessage',
      '# policy SMTP: CRLF line endings (bytes given to data() are sent as they are)',
      'm = EmailMessage(policy=email.policy.SMTP); m["From"] = sys.argv[3]; m["To"] = "e@example.org"; m["Subject"] = "py"; m.set_content("from python")',
      's = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10)',
      's.starttls(context=ssl._create_unverified_context())',
      's.login("apikey", sys.argv[2])',
      's.mail(sys.argv[3]); s.rcpt("e@example.org")',
      'code, text = s.data(m.as_bytes())',
      'print(code, text.decode()); s.quit()',
    ].join('\n');
    const { stdout } = await run('python3', ['-c', script, String(port), apiKey, `py@${domain}`], { timeout: 20_000 });
    const id = /^250 2\.0\.0 queued as ([0-9A-Z]{23})$/m.exec(stdout.trim())?.[1];
    t.ok(id, stdout.trim());
    await expectSpooled(t, relay, id ?? '', tenant.id);
  });

  t.test('SMTPS (implicit TLS) with nodemailer', async (t) => {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1', port: relay.ports.smtps, secure: true, tls: { rejectUnauthorized: false }, auth: { user: 'apikey', pass: apiKey },
    });
    const info = await transport.sendMail({ from: `news@${domain}`, to: 'f@example.org', subject: 'smtps', text: 'implicit tls' });
    transport.close();
    const id = QUEUED.exec(info.response)?.[1];
    t.ok(id, info.response);
    await expectSpooled(t, relay, id ?? '', tenant.id);
  });

  t.test('the spool holds exactly the five accepted messages', async (t) => {
    t.equal((await relay.spool.stats()).messages, 5);
  });
});
