/**
 * The embedded StateStore: the shared contract suite on a real LMDB env in a temp dir, plus what
 * only the embedded store has: DKIM keys sealed at rest (the raw LMDB value holds no PEM), a
 * changed master key refused with MTA_ERR_SECRET_KEY, and writes seen across processes (a child
 * `node` process opens the same env while this one keeps it open).
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openLocalDatabase, type LocalDatabase } from '../src/platform/index.ts';
import { EmbeddedStateStore, SecretBox } from '../src/state/index.ts';
import { runStateStoreContract } from '../src/state/contract.ts';
import { isFerryError } from '../src/domain/index.ts';

const run = promisify(execFile);
const root = mkdtempSync(join(tmpdir(), 'ferry-state-'));
const openDbs: LocalDatabase[] = [];
t.teardown(async () => {
  for (const db of openDbs) await db.close();
  rmSync(root, { recursive: true, force: true });
});

let counter = 0;
function freshDb(): { db: LocalDatabase; dir: string } {
  const dir = join(root, `s${counter++}`);
  const db = openLocalDatabase(dir);
  openDbs.push(db);
  return { db, dir };
}
const KEY_A = Buffer.alloc(32, 7);
const KEY_B = Buffer.alloc(32, 9);

runStateStoreContract(t, async () => new EmbeddedStateStore(freshDb().db, new SecretBox(KEY_A)));

const PEM = '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeKeyMaterial\n-----END PRIVATE KEY-----\n';

t.test('DKIM private keys are sealed at rest; another master key is refused', async (t) => {
  const { db } = freshDb();
  const store = new EmbeddedStateStore(db, new SecretBox(KEY_A));
  const tenant = await store.createTenant({ name: 'acme' });
  const key = { selector: 's1', algorithm: 'ed25519-sha256' as const, privateKeyPem: PEM, publicKeyDns: 'p', createdAt: 1 };
  await store.addDomain({ domain: 'acme.test', tenantId: tenant.id, createdAt: 1, dkimKeys: [key] });
  const raw = db.openDB({ name: 'state.domains', encoding: 'binary' }).getBinary('acme.test');
  t.ok(raw && raw.length > 0, 'raw value present');
  t.notOk(Buffer.from(raw ?? []).toString('latin1').includes('BEGIN PRIVATE KEY'), 'no PEM in the raw value');
  t.notOk(Buffer.from(raw ?? []).toString('latin1').includes('FakeKeyMaterial'), 'no key material in the raw value');
  try {
    new EmbeddedStateStore(db, new SecretBox(KEY_B));
    t.fail('opening with another master key must fail');
  } catch (error) {
    t.ok(isFerryError(error, 'MTA_ERR_SECRET_KEY'), 'MTA_ERR_SECRET_KEY');
    t.match((error as Error).message, /master key differs/);
  }
});

t.test('a stored secret opened with the wrong key names the record', async (t) => {
  const sealed = new SecretBox(KEY_A).seal('secret', 'dkim:acme.test:s1');
  t.equal(new SecretBox(KEY_A).open(sealed, 'dkim:acme.test:s1'), 'secret');
  t.throws(() => new SecretBox(KEY_B).open(sealed, 'dkim:acme.test:s1'), { code: 'MTA_ERR_SECRET_KEY', message: /dkim:acme\.test:s1/ });
  t.throws(() => new SecretBox(KEY_A).open(sealed, 'dkim:other.test:s1'), { code: 'MTA_ERR_SECRET_KEY' }, 'bound to its record');
});

t.test('a second process sees this process writes, and this one sees its writes', async (t) => {
  const { db, dir } = freshDb();
  const store = new EmbeddedStateStore(db, new SecretBox(KEY_A));
  const parent = await store.createTenant({ name: 'from-parent' });
  await store.appendOutcomes([{ type: 'Unsubscribe', at: 1, tenantId: parent.id, recipient: 'a@x.test' }]);
  const child = join(import.meta.dirname, 'fixtures', 'state-child.ts');
  const { stdout } = await run(process.execPath, [child, dir, KEY_A.toString('hex')], { timeout: 20_000 });
  const seen = JSON.parse(stdout) as { parentTenant: string | null; outcomes: number };
  t.equal(seen.parentTenant, parent.id, 'child read the tenant written here');
  t.equal(seen.outcomes, 1, 'child read the outcome written here');
  const fromChild = await store.getTenant('from-child');
  t.ok(fromChild, 'parent reads the tenant the child wrote, env kept open all along');
  t.same((await store.readOutcomes({})).map((r) => r.seq), [1, 2], 'seq continues across processes');
});

t.test('a stream written before the type indexes is indexed and counted once, then appends go on', async (t) => {
  const { db } = freshDb();
  // Records as the earlier code wrote them: the stream and the seq counter, no type index, no counters.
  const outcomes = db.openDB<object, number>({ name: 'state.outcomes' });
  const meta = db.openDB<number, string>({ name: 'state.meta' });
  const at = Date.now();
  const legacy = Array.from({ length: 12_000 }, (_, i) => i % 3 === 2
    ? { type: 'Bounce', at, tenantId: 'tOld', messageId: `o${i}`, deliveryId: `o${i}.1`, recipients: ['a@x.test'], attempt: 1, hard: true, seq: i + 1 }
    : { type: 'Reception', at, tenantId: 'tOld', messageId: `o${i}`, recipients: ['a@x.test'], mailFrom: 'f@y.test', size: 1, clientIp: '127.0.0.1', reply: '250', seq: i + 1 });
  await db.transaction(() => {
    for (const record of legacy) outcomes.put(record.seq, record);
    meta.put('outcomeSeq', legacy.length);
  });
  const store = new EmbeddedStateStore(db, new SecretBox(KEY_A));
  const hard = { type: 'Bounce' as const, at, tenantId: 'tOld', messageId: 'new', deliveryId: 'new.1', recipients: ['a@x.test'], attempt: 1, hard: true };
  await store.appendOutcomes([hard]);
  t.same(await store.tenantVolumes('tOld', at - 60_000), { received: 8_000, attempted: 4_001, hardBounces: 4_001, complaints: 0 }, 'legacy records counted once, the new one too');
  const bounces = await store.readOutcomes({ types: ['Bounce'] });
  t.equal(bounces.length, 4_001, 'every bounce found through the type index');
  t.same(bounces.slice(-2).map((r) => r.seq), [12_000, 12_001], 'the last legacy record and the new one');
  const again = new EmbeddedStateStore(db, new SecretBox(KEY_A));
  t.equal((await again.tenantVolumes('tOld', at - 60_000)).hardBounces, 4_001, 'a second open backfills nothing again');
  await again.close();
  await store.close();
});
