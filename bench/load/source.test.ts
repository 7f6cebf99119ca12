/**
 * The bench load source against a real SMTP server (smtp-server on 127.0.0.1, ephemeral port,
 * self-signed certificate): STARTTLS + AUTH PLAIN once per connection with pipelining, implicit
 * TLS with reconnects, refused AUTH, refused recipients, and the accept log. Bounded: a few hundred
 * small messages, each run under a 20 s timeout.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { parseLoadOptions } from './options.ts';
import { runLoad } from './source.ts';

interface Received {
  messages: number;
  bytes: number;
  auths: number;
  users: Set<string>;
  perConnection: Map<string, number>;
}

const pems = await generate([{ name: 'commonName', value: 'localhost' }], { keySize: 2048 });

async function startServer(t: Test, extra: Partial<SMTPServerOptions> = {}): Promise<{ port: number; got: Received }> {
  const got: Received = { messages: 0, bytes: 0, auths: 0, users: new Set(), perConnection: new Map() };
  const server = new SMTPServer({
    key: pems.private,
    cert: pems.cert,
    authMethods: ['PLAIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      got.auths++;
      if (auth.username === 'acme' && auth.password === 'key-123') return cb(null, { user: auth.username });
      return cb(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      stream.on('data', (c: Buffer) => (got.bytes += c.length));
      stream.on('end', () => {
        got.messages++;
        got.users.add(String(session.user));
        got.perConnection.set(session.id, (got.perConnection.get(session.id) ?? 0) + 1);
        cb(null);
      });
    },
    ...extra,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, got };
}

t.test('STARTTLS + AUTH PLAIN once per connection, pipelined, every message accepted', async (t) => {
  const { port, got } = await startServer(t);
  const opts = parseLoadOptions(['--target', `127.0.0.1:${port}`, '--auth', 'acme:key-123', '--connections', '5',
    '--messages', '200', '--warmup', '10', '--size', '1k,5k', '--timeout', '20']);
  const r = await runLoad(opts);
  t.match(r, { ok: 200, failedTotal: 0, notSent: 0, timedOut: false, auth: true, tls: 'starttls', sessionsOpened: 5 });
  t.equal(r.pipelining.used, true);
  t.equal(got.messages, 210, 'warm-up + timed messages reached the server');
  t.equal(got.auths, 5, 'one AUTH per connection');
  t.same([...got.users], ['acme']);
  t.ok(got.bytes > 210 * 1000, 'bodies were sent');
  t.equal(r.latencyMs.count, 200);
  t.ok((r.latencyMs.p50 ?? -1) >= 0 && (r.latencyMs.p99 ?? 0) >= (r.latencyMs.p50 ?? 0));
});

t.test('implicit TLS, reconnect every 10 messages, accept log written', async (t) => {
  const { port, got } = await startServer(t, { secure: true });
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'accept.tsv');
  const opts = parseLoadOptions(['--target', `127.0.0.1:${port}`, '--tls', 'implicit', '--auth', 'acme:key-123',
    '--connections', '4', '--messages', '80', '--msgs-per-conn', '10', '--run-id', 'r1', '--accept-log', log, '--timeout', '20']);
  const r = await runLoad(opts);
  t.match(r, { ok: 80, failedTotal: 0 });
  t.ok(r.sessionsOpened >= 8, `at least 80/10 sessions, got ${r.sessionsOpened}`);
  t.equal(got.auths, r.sessionsOpened, 'one AUTH per connection');
  t.equal(Math.max(...got.perConnection.values()), 10, 'no connection carried more than 10 messages');
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  t.equal(lines.length, 80);
  t.match(lines[0], /^r1\.\d+\t\d{13}\t\d+\.\d{3}$/);
  t.equal(new Set(lines.map((l) => l.split('\t')[0])).size, 80, 'one line per message');
});

t.test('wrong API key: every session fails AUTH with 535, nothing accepted, counts add up', async (t) => {
  const { port, got } = await startServer(t);
  const opts = parseLoadOptions(['--target', `127.0.0.1:${port}`, '--auth', 'acme:wrong', '--connections', '2',
    '--messages', '50', '--timeout', '20']);
  const r = await runLoad(opts);
  t.equal(r.ok, 0);
  t.equal(got.messages, 0);
  t.same(r.failed, { '535': 6 }, 'each worker gives up after 3 failed sessions');
  t.equal(r.failedTotal + r.notSent, 50);
  t.match(r.failureSamples['535'], /AUTH: 535/);
});

t.test('refused recipients and plain no-auth: failures counted by code, session carries on', async (t) => {
  const { port, got } = await startServer(t, {
    authOptional: true,
    hideSTARTTLS: true,
    onRcptTo(address, _session, cb) {
      if (/^r\d*[05]\.1@/.test(address.address)) return cb(Object.assign(new Error('suppressed'), { responseCode: 550 }));
      cb();
    },
  });
  const opts = parseLoadOptions(['--target', `127.0.0.1:${port}`, '--tls', 'none', '--no-auth', '--connections', '3',
    '--messages', '100', '--timeout', '20']);
  const r = await runLoad(opts);
  t.equal(r.ok, 80);
  t.same(r.failed, { '550': 20 });
  t.equal(got.messages, 80);
  t.equal(r.sessionsOpened, 3, 'a refused recipient does not cost the connection');
});

t.test('nothing listening: connect failures, no hang', async (t) => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve)); // the port is now closed: connections are refused
  const opts = parseLoadOptions(['--target', `127.0.0.1:${port}`, '--connections', '2',
    '--messages', '10', '--timeout', '20']);
  const r = await runLoad(opts);
  t.equal(r.ok, 0);
  t.same(r.failed, { connect: 6 });
  t.equal(r.notSent, 4);
});
