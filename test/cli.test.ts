/**
 * The `ferry` CLI end to end: spawns `node src/cli.ts` against a temp FERRY_DATA_DIR and checks
 * output, exit codes and what really lands in LMDB (API keys as hashes only, DKIM private keys
 * sealed). Also: --json output parses, config print masks the master key, a bad config file
 * names the key, an unknown command prints usage and exits 2.
 */
import t from 'tap';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.ts';
import { hashApiKey } from '../src/domain/index.ts';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openStateStore } from '../src/state/index.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
const MASTER_KEY = 'c3'.repeat(32);
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FERRY_')));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function ferry(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const fullEnv = { ...baseEnv, FERRY_DATA_DIR: dataDir, FERRY_SECRETS_MASTER_KEY: MASTER_KEY, ...env };
    execFile(process.execPath, [CLI, ...args], { env: fullEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function json<T>(run: Run): T {
  return JSON.parse(run.stdout) as T;
}

/** Every raw value of a sub-database, as latin1 text, read from LMDB directly. */
async function rawValues(name: string): Promise<string[]> {
  const db = openLocalDatabase(dataDir);
  try {
    const sub = db.openDB({ name, encoding: 'binary' });
    return [...sub.getRange().map(({ value }) => Buffer.from(value as Uint8Array).toString('latin1'))];
  } finally {
    await db.close();
  }
}

t.test('tenant, key, domain lifecycle', async (t) => {
  const added = await ferry(['tenant', 'add', 'acme']);
  t.equal(added.code, 0, added.stderr);
  const tenantId = added.stdout.trim();
  t.match(tenantId, /^tn_[0-9a-z]{10}$/);
  const dup = await ferry(['tenant', 'add', 'acme']);
  t.equal(dup.code, 1);
  t.match(dup.stderr, /MTA_ERR_STATE_CONFLICT/);

  const keyRun = await ferry(['--json', 'key', 'add', 'acme']);
  t.equal(keyRun.code, 0, keyRun.stderr);
  const issued = json<{ id: string; key: string; tenantId: string }>(keyRun);
  t.equal(issued.tenantId, tenantId);
  t.match(issued.key, /^fy_/);
  const keyValues = await rawValues('state.apiKeys');
  t.ok(keyValues.some((v) => v.includes(hashApiKey(issued.key))), 'hash stored');
  t.notOk(keyValues.some((v) => v.includes(issued.key)), 'clear key not stored');
  t.notOk((await rawValues('state.apiKeyHashes')).some((v) => v.includes(issued.key)));

  const revoke = await ferry(['key', 'revoke', issued.id]);
  t.equal(revoke.code, 0, revoke.stderr);
  const keys = json<Array<{ id: string; revokedAt: string | null }>>(await ferry(['key', 'list', tenantId, '--json']));
  t.equal(keys.length, 1);
  t.type(keys[0]?.revokedAt, 'string', 'revoked');
  t.equal((await ferry(['key', 'revoke', 'key_nope'])).code, 1);

  const domainRun = await ferry(['domain', 'add', 'acme', 'mail.acme.test']);
  t.equal(domainRun.code, 0, domainRun.stderr);
  t.match(domainRun.stdout, /fy\d{6}e\._domainkey\.mail\.acme\.test\s+TXT\s+"v=DKIM1; k=ed25519; p=/);
  t.match(domainRun.stdout, /fy\d{6}r\._domainkey\.mail\.acme\.test\s+TXT\s+"v=DKIM1; k=rsa; p=/);
  t.match(domainRun.stdout, /_dmarc\.mail\.acme\.test/);
  t.notMatch(domainRun.stdout, /PRIVATE KEY/);
  const domainValues = await rawValues('state.domains');
  t.equal(domainValues.length, 1);
  t.notMatch(domainValues[0] ?? '', /PRIVATE KEY/, 'private keys sealed in LMDB');
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(loadConfig({ env: { FERRY_DATA_DIR: dataDir, FERRY_SECRETS_MASTER_KEY: MASTER_KEY } }), db);
  const stored = await state.getDomain('mail.acme.test');
  await db.close();
  t.same(stored?.dkimKeys.map((k) => k.privateKeyPem.startsWith('-----BEGIN PRIVATE KEY-----')), [true, true], 'decrypted with the key');
  const domains = json<Array<{ domain: string; dkimKeys: unknown[] }>>(await ferry(['--json', 'domain', 'list', 'acme']));
  t.same(domains.map((d) => d.domain), ['mail.acme.test']);
  t.notMatch(JSON.stringify(domains), /PRIVATE KEY/);
  const unsigned = await ferry(['domain', 'add', 'acme', 'app.acme.test', '--no-dkim']);
  t.equal(unsigned.code, 0, unsigned.stderr);
  t.match(unsigned.stdout, /no DKIM keys: its mail is relayed unsigned/);
  t.notMatch(unsigned.stdout, /_domainkey/, 'no DKIM record to publish');
  t.match(unsigned.stdout, /_dmarc\.app\.acme\.test/);
  const listed = json<Array<{ domain: string; dkimKeys: unknown[] }>>(await ferry(['--json', 'domain', 'list', 'acme']));
  t.same(listed.map((d) => [d.domain, d.dkimKeys.length]), [['app.acme.test', 0], ['mail.acme.test', 2]]);
  t.match((await ferry(['domain', 'list', 'acme'])).stdout, /app\.acme\.test\s+\S+\s+none \(unsigned\)/);
  const badDomain = await ferry(['domain', 'add', 'acme', 'not_a domain']);
  t.equal(badDomain.code, 1);
  t.match(badDomain.stderr, /MTA_ERR_INVALID_INPUT: domain/);
});

t.test('suspend, resume, relay networks, show, list', async (t) => {
  const noReason = await ferry(['tenant', 'suspend', 'acme']);
  t.equal(noReason.code, 2, 'reason is required');
  t.match(noReason.stderr, /--reason/);
  const suspended = json<{ status: string; statusReason: string }>(await ferry(['--json', 'tenant', 'suspend', 'acme', '--reason', 'abuse report']));
  t.same([suspended.status, suspended.statusReason], ['suspended', 'abuse report']);
  t.match(json<{ tenant: { status: string } }>(await ferry(['--json', 'tenant', 'show', 'acme'])).tenant.status, 'suspended');
  t.equal(json<{ status: string }>(await ferry(['--json', 'tenant', 'resume', 'acme'])).status, 'active');
  const relay = json<{ relayNetworks: string[] }>(await ferry(['--json', 'tenant', 'relay-networks', 'acme', '127.0.0.1', '10.0.0.0/8']));
  t.same(relay.relayNetworks, ['127.0.0.1/32', '10.0.0.0/8']);
  const badCidr = await ferry(['tenant', 'relay-networks', 'acme', '300.0.0.0/8']);
  t.equal(badCidr.code, 1);
  t.match(badCidr.stderr, /MTA_ERR_INVALID_INPUT/);
  const list = json<Array<{ name: string }>>(await ferry(['tenant', 'list', '--json']));
  t.same(list.map((x) => x.name), ['acme']);
  const missing = await ferry(['--json', 'tenant', 'show', 'nobody']);
  t.equal(missing.code, 1);
  t.equal(JSON.parse(missing.stderr).error.code, 'MTA_ERR_NOT_FOUND');
  t.equal((await ferry(['tenant', 'close', 'acme'])).code, 2, 'close needs a reason too');
  const closed = json<{ status: string; statusReason: string }>(await ferry(['--json', 'tenant', 'close', 'acme', '--reason', 'account closed by owner']));
  t.same([closed.status, closed.statusReason], ['closed', 'account closed by owner']);
  t.equal(json<{ status: string }>(await ferry(['--json', 'tenant', 'resume', 'acme'])).status, 'active', 'resume reopens it');
});

t.test('config print masks secrets', async (t) => {
  const run = await ferry(['config', 'print']);
  t.equal(run.code, 0, run.stderr);
  t.notMatch(run.stdout, MASTER_KEY);
  t.match(run.stdout, /masterKey: "\*\*\*"/);
  const parsed = json<{ secrets: { masterKey: string }; dataDir: string }>(await ferry(['--json', 'config', 'print']));
  t.same([parsed.secrets.masterKey, parsed.dataDir], ['***', dataDir]);
});

t.test('bad config, unknown command, bad option', async (t) => {
  const file = join(dataDir, 'bad.yaml');
  writeFileSync(file, 'ingress:\n  submision: { port: 1 }\n');
  const bad = await ferry(['--config', file, 'tenant', 'list']);
  t.equal(bad.code, 1);
  t.match(bad.stderr, /MTA_ERR_CONFIG_INVALID.*ingress\.submision: unknown key/);
  const unknown = await ferry(['frobnicate']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown command: frobnicate/);
  t.match(unknown.stderr, /Usage: ferry/);
  const option = await ferry(['tenant', 'list', '--bogus']);
  t.equal(option.code, 2);
  t.match(option.stderr, /bogus/);
  const none = await ferry([]);
  t.equal(none.code, 2);
  const help = await ferry(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /Usage: ferry/);
  const badKey = await ferry(['tenant', 'list'], { FERRY_SECRETS_MASTER_KEY: 'short' });
  t.equal(badKey.code, 1);
  t.match(badKey.stderr, /MTA_ERR_SECRET_KEY: secrets\.masterKey/);
});

t.test('serve starts the relay and SIGTERM stops it with exit 0', { skip: !existsSync(new URL('../src/ingress/index.ts', import.meta.url)) && 'src/ingress not built yet' }, async (t) => {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...baseEnv,
      FERRY_DATA_DIR: join(dataDir, 'serve'),
      FERRY_SECRETS_MASTER_KEY: MASTER_KEY,
      FERRY_INGRESS_SUBMISSION_PORT: '0',
      FERRY_INGRESS_SMTPS_PORT: '0',
      // ephemeral operator ports too: a relay or bench running beside the tests may hold 8025 / 9465
      FERRY_ADMIN_PORT: '0',
      FERRY_METRICS_PORT: '0',
      FERRY_DELIVERY_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ferry relay started')) resolve();
    });
  });
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  await Promise.race([started, exited]);
  t.match(output, /ferry relay started/, 'started');
  child.kill('SIGTERM');
  const [code] = await exited;
  clearTimeout(killer);
  t.equal(code, 0, `exit 0 after SIGTERM\n${output}`);
  t.match(output, /stopping/);
});
