/**
 * The DKIM worker pool: jobs asked for in one turn travel as one batch, and every job still gets
 * its own answer — the same signatures inline signing gives, or its own error.
 */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { createDkimPool } from './dkim-pool.ts';
import { signMessage, type SigningKey } from './dkim.ts';

const ed = generateKeyPairSync('ed25519');
const keys: SigningKey[] = [
  { domain: 'example.com', selector: 'e1', algorithm: 'ed25519-sha256', privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
];
const signTime = new Date('2026-11-22T08:00:00Z');

function message(n: number): Buffer {
  return Buffer.from(`From: news@example.com\r\nTo: r${n}@dest.test\r\nSubject: number ${n}\r\n\r\nBody ${n}.\r\n`);
}

t.test('a batch of jobs: each answer belongs to its own message, a failing job fails alone', async (t) => {
  const pool = createDkimPool(1);
  t.teardown(() => pool.close());
  const bodies = Array.from({ length: 40 }, (_, n) => message(n));
  const noFrom = Buffer.from('To: x@dest.test\r\nSubject: no author\r\n\r\nBody.\r\n');
  const asked = bodies.map((body) => pool.sign(body, keys, signTime));
  const failing = pool.sign(noFrom, keys, signTime);
  const answers = await Promise.all(asked);
  const expected = await Promise.all(bodies.map((body) => signMessage(body, keys, signTime)));
  t.same(answers, expected, 'every job got the signature of its own body');
  t.equal(new Set(answers).size, bodies.length, 'no two answers alike');
  await t.rejects(failing, 'the job without From: is refused by itself');
  t.equal(await pool.sign(message(99), keys, signTime), await signMessage(message(99), keys, signTime), 'the pool signs on after a failed job');
});
