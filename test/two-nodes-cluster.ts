/**
 * Test support for the multi-node tests: N `ferry serve` processes (own data dirs and ports)
 * sharing one real redis-server (`state.backend: redis`, one master key, credits metered,
 * delivery off), a CLI bound to that cluster, tenant provisioning, and a raw SMTP load worker
 * that runs transactions on one authenticated connection and records every final reply.
 * Exports startCluster, provisionTenant, runSessions, ledgerOf, TransactionResult.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { startRedisServer, type RedisServer } from './support/redis-server.ts';
import { runCli, startRelayProcess, type RelayProcess } from './support/relay-process.ts';
import { SmtpWire } from './support/relay-fixture.ts';

export interface Cluster {
  readonly redis: RedisServer;
  readonly nodes: RelayProcess[];
  readonly dataDirs: string[];
  readonly env: Record<string, string>;
  cli(args: readonly string[]): Promise<string>;
}

export async function startCluster(t: Test, nodeCount: number, extraEnv: Record<string, string> = {}, redis?: RedisServer): Promise<Cluster> {
  const server = redis ?? (await startRedisServer());
  const env = {
    FERRY_STATE_BACKEND: 'redis',
    FERRY_STATE_REDIS_URL: server.url,
    FERRY_STATE_REDIS_KEY_PREFIX: `t${randomBytes(3).toString('hex')}:`,
    FERRY_SECRETS_MASTER_KEY: randomBytes(32).toString('hex'),
    FERRY_CREDITS_METERED: 'true',
    FERRY_DELIVERY_ENABLED: 'false',
    FERRY_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const dataDirs = Array.from({ length: nodeCount }, () => mkdtempSync(join(tmpdir(), 'ferry-node-')));
  const nodes: RelayProcess[] = [];
  t.teardown(async () => {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    if (!redis) await server.stop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });
  // The start-up log line carries the ports; info level is needed for it.
  for (const [i, dir] of dataDirs.entries()) nodes.push(await startRelayProcess(dir, { ...env, FERRY_NODE_ID: `node-${i + 1}`, FERRY_LOG_LEVEL: 'info' }));
  return { redis: server, nodes, dataDirs, env, cli: (args) => runCli(dataDirs[0] as string, args, env) };
}

export async function provisionTenant(cluster: Cluster, name: string, credits: number): Promise<string> {
  await cluster.cli(['tenant', 'add', name]);
  await cluster.cli(['domain', 'add', name, `${name}.test`]);
  if (credits > 0) await cluster.cli(['credits', 'add', name, String(credits)]);
  return (JSON.parse(await cluster.cli(['--json', 'key', 'add', name])) as { key: string }).key;
}

export interface LedgerView {
  readonly balance: number;
  readonly reserved: number;
  readonly ledger: readonly { kind: string; amount: number; ref: string }[];
}

export async function ledgerOf(cluster: Cluster, name: string): Promise<LedgerView> {
  return JSON.parse(await cluster.cli(['--json', 'credits', 'show', name, '--lines', '100000'])) as LedgerView;
}

export interface TransactionResult {
  /** The reply that decided the transaction (first non-2xx/3xx, or the final DATA reply). */
  readonly code: number;
  readonly line: string;
  readonly stage: 'mail' | 'rcpt' | 'data' | 'connection';
  readonly at: number;
  readonly latencyMs: number;
  /** The node's port the session used. */
  readonly port: number;
}

export interface SessionPlan {
  readonly port: number;
  readonly apiKey: string;
  readonly domain: string;
  readonly transactions: number;
  /** Stop early once this returns true (checked between transactions). */
  readonly until?: () => boolean;
}

async function transaction(wire: SmtpWire, plan: SessionPlan, n: number): Promise<Omit<TransactionResult, 'at' | 'latencyMs' | 'port'>> {
  const mail = await wire.command(`MAIL FROM:<app@${plan.domain}>`);
  if (mail.code !== 250) return { code: mail.code, line: mail.line, stage: 'mail' };
  const rcpt = await wire.command(`RCPT TO:<user${n}@dest.test>`);
  if (rcpt.code !== 250) {
    await wire.command('RSET');
    return { code: rcpt.code, line: rcpt.line, stage: 'rcpt' };
  }
  const data = await wire.command('DATA');
  if (data.code !== 354) return { code: data.code, line: data.line, stage: 'data' };
  const reply = await wire.command(`From: app@${plan.domain}\r\nTo: user${n}@dest.test\r\nSubject: load ${n}\r\n\r\nhello\r\n.`);
  return { code: reply.code, line: reply.line, stage: 'data' };
}

/** One authenticated STARTTLS session running the plan's transactions back to back. */
export async function runSession(plan: SessionPlan, results: TransactionResult[]): Promise<void> {
  let wire: SmtpWire | undefined;
  try {
    wire = (await SmtpWire.open({ port: plan.port, timeoutMs: 15_000 })).wire;
    await wire.command('EHLO load.test');
    await wire.startTls();
    await wire.command('EHLO load.test');
    const auth = await wire.authPlain('apikey', plan.apiKey);
    if (auth.code !== 235) throw new Error(auth.line);
    for (let n = 0; n < plan.transactions && !(plan.until?.() ?? false); n += 1) {
      const started = Date.now();
      const result = await transaction(wire, plan, n);
      results.push({ ...result, at: Date.now(), latencyMs: Date.now() - started, port: plan.port });
    }
    await wire.command('QUIT').catch(() => undefined);
  } catch (error) {
    results.push({ code: 0, line: (error as Error).message, stage: 'connection', at: Date.now(), latencyMs: 0, port: plan.port });
  } finally {
    wire?.close();
  }
}

export async function runSessions(plans: readonly SessionPlan[]): Promise<TransactionResult[]> {
  const results: TransactionResult[] = [];
  await Promise.all(plans.map((plan) => runSession(plan, results)));
  return results;
}

export function countBy(results: readonly TransactionResult[], predicate: (r: TransactionResult) => boolean): number {
  return results.filter(predicate).length;
}
