/**
 * The ingress's life and failures with real parts: a closed spool and a closed state store are
 * answered 451 4.3.0 (never 5xx, never a hang, nothing queued); graceful stop answers open
 * sessions 421 4.3.2, closes them and stops listening; the TLS certificate is generated once
 * into <dataDir>/tls and reused, configured PEM files are used as they are.
 */
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../src/config/index.ts';
import { loadTlsMaterial } from '../src/platform/index.ts';
import { startRelayFixture, SmtpWire, type RelayFixture, type TestTenant } from './support/relay-fixture.ts';

async function authed(relay: RelayFixture, tenant: TestTenant): Promise<SmtpWire> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission });
  await wire.command('EHLO client.test');
  await wire.startTls();
  await wire.command('EHLO client.test');
  const reply = await wire.authPlain('apikey', tenant.apiKey);
  if (reply.code !== 235) throw new Error(reply.line);
  return wire;
}

t.test('spool failure → 451 4.3.0 after DATA; store failure → 451 4.3.0 at AUTH and MAIL FROM', async (t) => {
  const relay = await startRelayFixture(t);
  const acme = await relay.tenant('acme');
  const wire = await authed(relay, acme);
  await relay.spool.close();
  await wire.command('MAIL FROM:<a@acme.test>');
  await wire.command('RCPT TO:<x@example.org>');
  await wire.command('DATA');
  wire.write('From: a@acme.test\r\nSubject: x\r\n\r\nbody\r\n.\r\n');
  t.match((await wire.read()).line, /^451 4\.3\.0 /, 'spool closed');

  await relay.state.close();
  // tenant and domain-owner answers are cached for one second (src/policy/senders.ts); past that,
  // MAIL FROM needs the store again
  await new Promise((resolve) => setTimeout(resolve, 1100));
  t.match((await wire.command('MAIL FROM:<a@acme.test>')).line, /^451 4\.3\.0 /, 'tenant lookup fails');
  const fresh = await SmtpWire.open({ port: relay.ports.submission });
  await fresh.wire.command('EHLO client.test');
  await fresh.wire.startTls();
  await fresh.wire.command('EHLO client.test');
  t.match((await fresh.wire.authPlain('apikey', acme.apiKey)).line, /^451 4\.3\.0 /, 'key lookup fails');
  t.match((await fresh.wire.command('NOOP')).line, /^250 /, 'the session is still alive');
  wire.close();
  fresh.wire.close();
});

t.test('graceful stop: open sessions get 421 4.3.2 and are closed; nothing listens afterwards', async (t) => {
  const relay = await startRelayFixture(t);
  const acme = await relay.tenant('acme');
  const idle = await authed(relay, acme);
  const midTransaction = await authed(relay, acme);
  await midTransaction.command('MAIL FROM:<a@acme.test>');
  const port = relay.ports.submission;
  const started = Date.now();
  await relay.stopIngress();
  t.ok(Date.now() - started < 8000, `stop() resolved in ${Date.now() - started} ms`);
  for (const wire of [idle, midTransaction]) {
    t.match((await wire.read()).line, /^421 4\.3\.2 Service shutting down/);
    t.ok(wire.closed, 'closed by the server');
  }
  const refused = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
  t.equal(refused, 'ECONNREFUSED');
});

t.test('TLS material: generated once into dataDir/tls, reused; configured files used; half a pair refused', async (t) => {
  const relay = await startRelayFixture(t);
  const generated = readFileSync(join(relay.dataDir, 'tls', 'cert.pem'), 'utf8');
  t.match(generated, /^-----BEGIN CERTIFICATE-----/);
  const again = await loadTlsMaterial(relay.config);
  t.equal(again.source, 'reused');
  t.equal(again.cert, generated);

  const { wire } = await SmtpWire.open({ port: relay.ports.smtps, implicitTls: true });
  t.match((await wire.command('EHLO client.test')).line, /^250 /, 'SMTPS speaks after the handshake');
  wire.close();

  const certPath = join(relay.dataDir, 'own-cert.pem');
  const keyPath = join(relay.dataDir, 'own-key.pem');
  writeFileSync(certPath, generated);
  writeFileSync(keyPath, readFileSync(join(relay.dataDir, 'tls', 'key.pem')));
  const configured = await loadTlsMaterial(loadConfig({ env: {}, overrides: { dataDir: relay.dataDir, ingress: { tls: { cert: certPath, key: keyPath } } } }));
  t.equal(configured.source, 'configured');
  const half = loadConfig({ env: {}, overrides: { dataDir: relay.dataDir, ingress: { tls: { cert: certPath, key: '' } } } });
  await t.rejects(loadTlsMaterial(half), { code: 'MTA_ERR_CONFIG_INVALID', message: /set both cert and key/ });
  const missing = loadConfig({ env: {}, overrides: { dataDir: relay.dataDir, ingress: { tls: { cert: '/nonexistent.pem', key: keyPath } } } });
  await t.rejects(loadTlsMaterial(missing), { code: 'MTA_ERR_CONFIG_INVALID', message: /ingress\.tls\.cert: cannot read/ });
});
