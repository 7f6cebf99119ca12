/**
 * Cost of the credit gate: ingress messages/s of a real `ferry serve` (delivery off, STARTTLS +
 * AUTH once per session, one recipient per message) with the embedded store vs Redis, metered
 * and not, and with a per-tenant rate limit; for Redis also the round trips per accepted message:
 * client commands seen by MONITOR (commands run inside Lua scripts are not round trips).
 * Usage: node bench/gate-ingress.ts [--messages N] [--sessions C]; prints a markdown table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../test/support/redis-server.ts';
import { runCli, startRelayProcess } from '../test/support/relay-process.ts';
import { runSession, type TransactionResult } from '../test/two-nodes-cluster.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '3000' }, sessions: { type: 'string', default: '20' } } });
const MESSAGES = Math.min(Number(values.messages), 50_000);
const SESSIONS = Math.min(Number(values.sessions), 200);

interface Scenario { readonly name: string; readonly redis: boolean; readonly env: Record<string, string> }

const SCENARIOS: Scenario[] = [
  { name: 'embedded, unmetered', redis: false, env: {} },
  { name: 'embedded, metered', redis: false, env: { FERRY_CREDITS_METERED: 'true' } },
  { name: 'redis, unmetered', redis: true, env: {} },
  { name: 'redis, metered', redis: true, env: { FERRY_CREDITS_METERED: 'true' } },
  { name: 'redis, metered + rate limit', redis: true, env: { FERRY_CREDITS_METERED: 'true', FERRY_TENANT_LIMITS_MESSAGES_PER_SECOND: '100000', FERRY_TENANT_LIMITS_BURST: '100000' } },
];

/** Counts client commands (not those run inside scripts) until stop() is called. */
async function monitorCalls(redis: RedisServer): Promise<{ stop(): Promise<Map<string, number>> }> {
  const client = new Redis(redis.port, '127.0.0.1');
  const monitor = await client.monitor();
  const calls = new Map<string, number>();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source.startsWith('lua')) return;
    const name = String(args[0]).toLowerCase();
    calls.set(name, (calls.get(name) ?? 0) + 1);
  });
  return {
    async stop() {
      monitor.disconnect();
      client.disconnect();
      return calls;
    },
  };
}

async function run(scenario: Scenario, redis: RedisServer): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-gate-bench-'));
  const env: Record<string, string> = { FERRY_DELIVERY_ENABLED: 'false', FERRY_LOG_LEVEL: 'info', ...scenario.env };
  if (scenario.redis) Object.assign(env, { FERRY_STATE_BACKEND: 'redis', FERRY_STATE_REDIS_URL: redis.url, FERRY_STATE_REDIS_KEY_PREFIX: `b${Date.now()}:`, FERRY_SECRETS_MASTER_KEY: '11'.repeat(32) });
  try {
    await runCli(dataDir, ['tenant', 'add', 'benchco'], env);
    await runCli(dataDir, ['domain', 'add', 'benchco', 'benchco.test'], env);
    await runCli(dataDir, ['credits', 'add', 'benchco', '10000000'], env);
    const apiKey = (JSON.parse(await runCli(dataDir, ['--json', 'key', 'add', 'benchco'], env)) as { key: string }).key;
    const relay = await startRelayProcess(dataDir, env);
    const each = Math.ceil(MESSAGES / SESSIONS);
    const plan = { port: relay.ports.submission, apiKey, domain: 'benchco.test' };
    await Promise.all(Array.from({ length: SESSIONS }, () => runSession({ ...plan, transactions: 5 }, []))); // warm-up
    const monitor = scenario.redis ? await monitorCalls(redis) : undefined;
    const results: TransactionResult[] = [];
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: SESSIONS }, () => runSession({ ...plan, transactions: each }, results)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const calls = (await monitor?.stop()) ?? new Map<string, number>();
    await relay.kill('SIGTERM');
    const accepted = results.filter((r) => r.code === 250).length;
    const total = [...calls.values()].reduce((a, b) => a + b, 0);
    const perMessage = scenario.redis ? (total / accepted).toFixed(2) : '–';
    const breakdown = [...calls].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${(n / accepted).toFixed(2)}`).join(', ');
    return `| ${scenario.name} | ${accepted} | ${(accepted / seconds).toFixed(0)} | ${perMessage} | ${breakdown || '–'} |`;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const redis = await startRedisServer();
const rows: string[] = [];
try {
  for (const scenario of SCENARIOS) {
    process.stderr.write(`== ${scenario.name}\n`);
    rows.push(await run(scenario, redis));
  }
} finally {
  await redis.stop();
}
process.stdout.write(`${MESSAGES} messages, ${SESSIONS} sessions, 1 recipient each\n\n| state | accepted | msg/s | Redis calls / msg | by command (per msg) |\n|---|---|---|---|---|\n${rows.join('\n')}\n`);
