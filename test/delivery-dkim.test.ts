/**
 * DKIM end to end: a message delivered to a real sink carries an rsa-sha256 and an
 * ed25519-sha256 signature, both verified by an independent implementation (Debian's
 * python3-dkim) with the public keys handed over without DNS. Also runs the signing through
 * the worker-thread pool. Sinks on 127.0.24.x.
 */
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startHarness } from './support/delivery-harness.ts';
import type { DkimKey } from '../src/domain/index.ts';

const PYTHON = '/usr/bin/python3';
const VERIFY = `
import sys, json, dkim
keys = json.loads(sys.argv[1])
msg = sys.stdin.buffer.read()
def dnsfunc(name, timeout=5):
    selector = name.decode().split('.')[0]
    k = keys[selector]
    return ('v=DKIM1; k=%s; p=%s' % (k['k'], k['p'])).encode()
d = dkim.DKIM(msg)
count = len([line for line in msg.split(b'\\r\\n\\r\\n')[0].split(b'\\r\\n') if line.lower().startswith(b'dkim-signature:')])
def check(i):
    try:
        return bool(d.verify(idx=i, dnsfunc=dnsfunc))
    except dkim.ValidationError:
        return False
print(json.dumps([check(i) for i in range(count)]))
`;

function verifyWithPython(message: Buffer, keys: readonly DkimKey[]): boolean[] {
  const table = Object.fromEntries(keys.map((key) => [key.selector, { k: key.algorithm === 'rsa-sha256' ? 'rsa' : 'ed25519', p: key.publicKeyDns }]));
  const run = spawnSync(PYTHON, ['-c', VERIFY, JSON.stringify(table)], { input: message, timeout: 20_000 });
  if (run.status !== 0) throw new Error(`python dkim failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as boolean[];
}

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
  t.same(verifyWithPython(data, keys), [true, true], 'python dkim verifies both signatures');
  const tampered = Buffer.from(data.toString('latin1').replace('Hello from Ferry.', 'Hello from Evil.'), 'latin1');
  t.same(verifyWithPython(tampered, keys), [false, false], 'an altered body fails both');
});

t.test('both signatures verify (worker-thread pool)', async (t) => {
  const { data, keys } = await deliverSigned(t, '127.0.24.3', 1);
  t.same(verifyWithPython(data, keys), [true, true]);
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
