/**
 * `ferry policy check --tenant T` through the real CLI (node src/cli.ts, temp LMDB): a
 * forbidden-sector message → "refuse" with the sectors reason; a clean one → "accept"; the same
 * refused message for a tenant in monitor mode (config file) → "monitor"; a card number →
 * sensitive-data; an unknown tenant → exit 1; no --tenant → usage (exit 2). Nothing is written:
 * no outcome record appears in the store.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.ts';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openStateStore } from '../src/state/index.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ferry-policy-cli-'));
const MASTER_KEY = 'c3'.repeat(32);
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FERRY_')));

const CASINO = 'From: news@shop.test\r\nSubject: 100 free spins at our online casino\r\n\r\nSign up today: free spins, welcome bonus, roulette and blackjack. Bet now!\r\n';
const CLEAN = 'From: news@shop.test\r\nSubject: Your order has shipped\r\n\r\nYour order 1042 has shipped and arrives Thursday.\r\n';
const CARD = 'From: news@shop.test\r\nSubject: booking\r\n\r\nMy card: 4111 1111 1111 1111, expiry 08/27.\r\n';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface CheckOutput {
  verdict: string;
  reasons: Array<{ check: string; code: string; score: number; detail: string }>;
}

function ferry(args: string[], stdin = '', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const fullEnv = { ...baseEnv, FERRY_DATA_DIR: dataDir, FERRY_SECRETS_MASTER_KEY: MASTER_KEY, ...env };
    const child = execFile(process.execPath, [CLI, ...args], { env: fullEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

async function outcomeCount(): Promise<number> {
  const config = loadConfig({ env: {}, overrides: { dataDir, secrets: { masterKey: MASTER_KEY } } });
  const db = openLocalDatabase(dataDir);
  try {
    const state = await openStateStore(config, db);
    try {
      return (await state.readOutcomes({ types: ['Reception', 'Rejection', 'AdminAction'] })).filter((r) => r.type !== 'AdminAction' || r.actor === 'policy.reputation').length;
    } finally {
      await state.close();
    }
  } finally {
    await db.close();
  }
}

t.test('policy check prints the gate verdict as JSON and sends nothing', async (t) => {
  const added = await ferry(['tenant', 'add', 'shop']);
  t.equal(added.code, 0, added.stderr);
  const tenantId = added.stdout.trim();
  const before = await outcomeCount();

  const refused = await ferry(['policy', 'check', '--tenant', tenantId], CASINO);
  t.equal(refused.code, 0, refused.stderr);
  const refusedOut = JSON.parse(refused.stdout) as CheckOutput;
  t.equal(refusedOut.verdict, 'refuse');
  t.match(refusedOut.reasons.find((r) => r.check === 'sectors'), { code: 'sector.betting', detail: /free spins/ });
  t.ok(refusedOut.reasons.every((r) => typeof r.score === 'number' && typeof r.detail === 'string' && typeof r.code === 'string'), 'every reason has check, code, score, detail');

  const clean = JSON.parse((await ferry(['policy', 'check', '--tenant', 'shop'], CLEAN)).stdout) as CheckOutput;
  t.equal(clean.verdict, 'accept', 'tenant given by name works too');
  t.same(clean.reasons.map((r) => r.check), ['sender', 'tenant-reputation', 'attachments', 'sensitive-data', 'bulk', 'sectors']);

  const card = JSON.parse((await ferry(['policy', 'check', '--tenant', tenantId], CARD)).stdout) as CheckOutput;
  t.equal(card.verdict, 'refuse');
  t.match(card.reasons.at(-1), { check: 'sensitive-data' });

  const configFile = join(dataDir, 'monitor.yaml');
  writeFileSync(configFile, `filter:\n  tenants:\n    ${tenantId}: { mode: monitor }\n`);
  const monitored = JSON.parse((await ferry(['--config', configFile, 'policy', 'check', '--tenant', tenantId], CASINO)).stdout) as CheckOutput;
  t.equal(monitored.verdict, 'monitor', 'monitor mode reports what it would refuse');
  t.match(monitored.reasons.find((r) => r.check === 'sectors'), { code: 'sector.betting' });

  t.equal(await outcomeCount(), before, 'no outcome record written');
});

t.test('policy check usage and unknown tenant', async (t) => {
  const missing = await ferry(['policy', 'check'], CLEAN);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /--tenant/);
  const unknown = await ferry(['policy', 'check', '--tenant', 'tn_nosuchone0'], CLEAN);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, /MTA_ERR_NOT_FOUND/);
});

t.test('policy block-sender: that sender is refused, others pass; unblock lifts it', async (t) => {
  const message = (sender: string) => `X-Ferry-Sender: ${sender}\r\n${CLEAN}`;
  const blocked = await ferry(['policy', 'block-sender', '--tenant', 'shop', 'app-7', '--reason', 'leaked key']);
  t.equal(blocked.code, 0, blocked.stderr);
  const refused = JSON.parse((await ferry(['policy', 'check', '--tenant', 'shop'], message('app-7'))).stdout) as CheckOutput;
  t.equal(refused.verdict, 'refuse');
  t.match(refused.reasons[0], { check: 'sender', code: 'sender.blocked', detail: /app-7/ });
  const sibling = JSON.parse((await ferry(['policy', 'check', '--tenant', 'shop'], message('app-8'))).stdout) as CheckOutput;
  t.equal(sibling.verdict, 'accept');
  t.equal((await ferry(['policy', 'unblock-sender', '--tenant', 'shop', 'app-7'])).code, 0);
  const lifted = JSON.parse((await ferry(['policy', 'check', '--tenant', 'shop'], message('app-7'))).stdout) as CheckOutput;
  t.equal(lifted.verdict, 'accept');
});
