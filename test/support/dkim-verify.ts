/**
 * DKIM verification by an independent implementation: Debian's python3-dkim (dkimpy) checks every
 * DKIM-Signature of a message against the given keys (served as if from DNS). Exports
 * verifyDkim(message, keys) → one boolean per signature, in header order (a signature that does
 * not validate is false, never an exception).
 */
import { spawnSync } from 'node:child_process';
import type { DkimKey } from '../../src/domain/index.ts';

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

export function verifyDkim(message: Buffer, keys: readonly DkimKey[]): boolean[] {
  const table = Object.fromEntries(keys.map((key) => [key.selector, { k: key.algorithm === 'rsa-sha256' ? 'rsa' : 'ed25519', p: key.publicKeyDns }]));
  const run = spawnSync(PYTHON, ['-c', VERIFY, JSON.stringify(table)], { input: message, timeout: 20_000 });
  if (run.status !== 0) throw new Error(`python dkim failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()) as boolean[];
}
