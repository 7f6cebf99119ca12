/**
 * Master key loading (src/state/secrets.ts) on a real temp dir: the key file is generated once
 * with mode 0600 and reused; hex and base64 keys from config parse; malformed keys (config or
 * file) fail with MTA_ERR_SECRET_KEY naming where the key came from, never echoing the key.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { loadMasterKey, parseMasterKey } from '../src/state/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-secrets-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('key file generated 0600 on first use, then reused', async (t) => {
  const config = loadConfig({ env: { FERRY_DATA_DIR: join(dir, 'a') } });
  const first = loadMasterKey(config);
  t.equal(first.created, true);
  t.equal(first.file ?? '', join(dir, 'a', 'master.key'));
  t.equal(statSync(first.file ?? '').mode & 0o777, 0o600);
  t.match(readFileSync(first.file ?? '', 'utf8'), /^[0-9a-f]{64}\n$/);
  const second = loadMasterKey(config);
  t.equal(second.created, false);
  t.ok(second.key.equals(first.key));
});

t.test('explicit key file path', async (t) => {
  const path = join(dir, 'custom', 'k');
  const config = loadConfig({ env: { FERRY_DATA_DIR: join(dir, 'b'), FERRY_SECRETS_MASTER_KEY_FILE: path } });
  t.equal(loadMasterKey(config).file, path);
});

t.test('hex and base64 master keys parse; malformed ones are named', async (t) => {
  const bytes = Buffer.alloc(32, 3);
  t.ok(parseMasterKey(bytes.toString('hex'), 'x').equals(bytes));
  t.ok(parseMasterKey(bytes.toString('base64'), 'x').equals(bytes));
  t.ok(parseMasterKey(bytes.toString('base64url'), 'x').equals(bytes));
  const secret = 'not-a-real-key-but-secret';
  const config = loadConfig({ env: { FERRY_DATA_DIR: join(dir, 'c'), FERRY_SECRETS_MASTER_KEY: secret } });
  try {
    loadMasterKey(config);
    t.fail('must throw');
  } catch (error) {
    t.match(error, { code: 'MTA_ERR_SECRET_KEY', message: /secrets\.masterKey/ });
    t.notMatch((error as Error).message, secret, 'key not echoed');
  }
  t.throws(() => parseMasterKey(Buffer.alloc(16).toString('hex'), 'short'), { code: 'MTA_ERR_SECRET_KEY' });
  const bad = join(dir, 'bad.key');
  writeFileSync(bad, 'garbage\n');
  const fromFile = loadConfig({ env: { FERRY_DATA_DIR: join(dir, 'd'), FERRY_SECRETS_MASTER_KEY_FILE: bad } });
  t.throws(() => loadMasterKey(fromFile), { code: 'MTA_ERR_SECRET_KEY', message: new RegExp(`master key file ${bad}`) });
});
