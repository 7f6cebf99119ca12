/**
 * DKIM end to end: a message delivered to a real sink carries an rsa-sha256 and an
 * ed25519-sha256 signature, both verified by an independent implementation (Debian's
 * python3-dkim) with the public keys handed over without DNS. Also runs the signing through
 * the worker-thread pool. A domain of another tenant, or one without keys, is not signed.
 * Sinks on 127.0.24.x.
 */
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startHarness } from './support/delivery-harness.ts';
import { verifyDkim } from './support/dkim-verify.ts';

const PYTHON = '/usr/bin/python3';

async function deliverSigned(t: Test, host: string, dkimWorkers: number) {
  const sink = await startSmtpSink({ host });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    dkimWorkers,
    config: { egress: { ips: [{ address: '127.0.24.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.24.10'] } }, delivery: { routes: { '*': `${host}:${sink.port}` } } },
  });
  const tenant = await h.tenant('acme');
  const keys = await h.domain(tenant, 'acme.test');
  await h.send(tenant, 'news@acme.test', ['alice@dest.test'], { subject: 'Signed ünïcode subject' });
  await h.records(['Delivery'], 1);
  return { data: sink.messages[0]!.data, keys, h };
}

t.test('python3-dkim is installed', async (t) => {
  t.ok(existsSync(PYTHON), `${PYTHON} exists`);
});

t.test('both signatures verify (inline signing)', async (t) => {
  const { data, keys } = await deliverSigned(t, '127.0.24.2', 0);
  const header = data.subarray(0, data.indexOf('\r\n\r\n')).toString();
  t.match(header, /DKIM-Signature: [^]*a=rsa-sha256/);
  t.match(header, /DKIM-Signature: [^]*a=ed25519-sha256/);
  t.match(header, /c=relaxed\/relaxed/);
  t.match(header, /h=[^;]*Subject[^;]*From/i);
  t.same(verifyDkim(data, keys), [true, true], 'python dkim verifies both signatures');
  const tampered = Buffer.from(data.toString('latin1').replace('Hello from Ferry.', 'Hello from Evil.'), 'latin1');
  t.same(verifyDkim(tampered, keys), [false, false], 'an altered body fails both');
});

t.test('both signatures verify (worker-thread pool)', async (t) => {
  const { data, keys } = await deliverSigned(t, '127.0.24.3', 1);
  t.same(verifyDkim(data, keys), [true, true]);
});

t.test('a domain of another tenant does not sign', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.24.4' });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    config: { egress: { ips: [{ address: '127.0.24.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.24.10'] } }, delivery: { routes: { '*': `127.0.24.4:${sink.port}` } } },
  });
  const owner = await h.tenant('owner');
  const other = await h.tenant('other');
  await h.domain(owner, 'owned.test');
  await h.send(other, 'x@owned.test', ['alice@dest.test']);
  await h.records(['Delivery'], 1);
  t.notMatch(sink.messages[0]!.data.toString(), /DKIM-Signature/);
});

t.test('a domain added without keys (domain add --no-dkim) is relayed unsigned', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.24.5' });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    dkimWorkers: 1,
    config: { egress: { ips: [{ address: '127.0.24.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.24.10'] } }, delivery: { routes: { '*': `127.0.24.5:${sink.port}` } } },
  });
  const tenant = await h.tenant('acme');
  await h.state.addDomain({ domain: 'app.acme.test', tenantId: tenant.id, createdAt: Date.now(), dkimKeys: [] });
  await h.send(tenant, 'news@app.acme.test', ['alice@dest.test']);
  await h.records(['Delivery'], 1);
  t.notMatch(sink.messages[0]!.data.toString(), /DKIM-Signature/);
});
