/**
 * Revocation in one call, end to end (Done-when of the dedicated-IP issue): two `ferry serve`
 * processes share one real redis-server; a tenant leases 127.0.25.11, whose receiver is slow, so
 * its 2,000 messages queue on the IP. One admin call (POST /v1/ips/{ip}/revoke, notice 0s) →
 * the warning email reaches the tenant's contact address at the sink before anything else → the
 * IP stops on both nodes within 5 s (each node has its own HELO for it, so the sink tells them
 * apart) → every one of the 2,000 messages arrives exactly once, the rest through the pool.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startRedisServer } from './support/redis-server.ts';
import { runCli, startRelayProcess, type RelayProcess } from './support/relay-process.ts';
import { startSmtpSink, type SinkMessage } from './support/smtp-sink.ts';
import { runSessions, type SessionPlan } from './two-nodes-cluster.ts';

const POOL_IP = '127.0.25.10';
const LEASED_IP = '127.0.25.11';
const MESSAGES = 2000;
const CONTACT = 'abuse-contact@lessee.example';

function nodeConfig(dir: string, node: number, sinkPort: number): string {
  const file = join(dir, 'ferry.yaml');
  writeFileSync(file, [
    'egress:',
    '  ips:',
    `    - { address: ${POOL_IP}, helo: pool-n${node}.ferry.test }`,
    `    - { address: ${LEASED_IP}, helo: leased-n${node}.ferry.test }`,
    `  pools: { shared: [${POOL_IP}] }`,
    '  refreshEvery: 1s',
    '  revocation: { sender: postmaster@ferry.test, warningTimeout: 30s }',
    'delivery:',
    `  routes: { "*": "127.0.25.2:${sinkPort}" }`,
    '  limits: { maxConnections: 4, maxMessagesPerConnection: 1000, maxMessagesPerSecond: 0 }',
    '  retrySchedule: 10s*100',
    '',
  ].join('\n'));
  return file;
}

async function api(port: number, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const messageIdOf = (m: SinkMessage) => /^Message-ID: <([^@>]+)@/im.exec(m.data.toString('latin1'))?.[1]?.toLowerCase();
const isWarning = (m: SinkMessage) => m.data.toString('latin1').includes('X-Ferry-Notice: ip-revocation');

t.test('revoke a leased IP with 2,000 messages queued on it, on two nodes sharing Redis', async (t) => {
  // The receiver is slow only for the leased IP: its mail piles up in that IP's queues.
  const sink = await startSmtpSink({ host: '127.0.25.2', dataDelayMs: (source) => (source === LEASED_IP ? 400 : 0) });
  t.teardown(() => sink.stop());
  const redis = await startRedisServer();
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'ferry-revoke-')));
  const nodes: RelayProcess[] = [];
  t.teardown(async () => {
    await Promise.all(nodes.map((node) => node.kill('SIGKILL')));
    await redis.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const env = {
    FERRY_STATE_BACKEND: 'redis', FERRY_STATE_REDIS_URL: redis.url, FERRY_STATE_REDIS_KEY_PREFIX: `rv${randomBytes(3).toString('hex')}:`,
    FERRY_SECRETS_MASTER_KEY: randomBytes(32).toString('hex'), FERRY_FILTER_ENABLED: 'false', FERRY_LOG_LEVEL: 'warn',
  };
  for (const [i, dir] of dirs.entries()) {
    nodes.push(await startRelayProcess(dir, { ...env, FERRY_NODE_ID: `node-${i + 1}`, FERRY_CONFIG: nodeConfig(dir, i + 1, sink.port), FERRY_LOG_LEVEL: 'info' }));
  }
  const cli = (args: string[]) => runCli(dirs[0] as string, args, { ...env, FERRY_CONFIG: nodeConfig(dirs[0] as string, 1, sink.port) });
  const adminPort = (nodes[0]!.ports as unknown as { admin: number }).admin;
  const token = (JSON.parse(await cli(['--json', 'admin', 'token', 'add', '--name', 'abuse-desk', '--scopes', 'read,tenants,ips,abuse'])) as { token: string }).token;

  await cli(['tenant', 'add', 'lessee']);
  await cli(['domain', 'add', 'lessee', 'lessee.test']);
  const apiKey = (JSON.parse(await cli(['--json', 'key', 'add', 'lessee'])) as { key: string }).key;
  t.equal((await api(adminPort, token, 'PATCH', '/v1/tenants/lessee', { contactEmail: CONTACT })).status, 200, 'contact address set');
  const lease = await api(adminPort, token, 'POST', `/v1/ips/${LEASED_IP}/lease`, { tenant: 'lessee' });
  t.equal(lease.status, 200, `leased: ${JSON.stringify(lease.json)}`);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // both nodes' views refresh (1 s)

  const plans: SessionPlan[] = Array.from({ length: 20 }, (_, i) => ({ port: nodes[i % 2]!.ports.submission, apiKey, domain: 'lessee.test', transactions: MESSAGES / 20 }));
  const results = await runSessions(plans);
  const accepted = results.filter((r) => r.code === 250).map((r) => /queued as (\S+)/.exec(r.line)?.[1]?.toLowerCase());
  t.equal(accepted.length, MESSAGES, 'all 2,000 accepted');
  const deliveredBefore = sink.messages.filter((m) => !isWarning(m)).length;
  t.ok(sink.messages.every((m) => m.sourceAddress === LEASED_IP), 'until the revocation, the tenant sends only from its leased IP');
  t.ok(MESSAGES - deliveredBefore >= 1800, `${MESSAGES - deliveredBefore} messages queued on the IP when revoked`);

  const revokeStarted = Date.now();
  const revoked = await api(adminPort, token, 'POST', `/v1/ips/${LEASED_IP}/revoke`, { reason: 'spam run reported by a mailbox provider', notice: '0s' });
  const revokeDone = Date.now();
  t.equal(revoked.status, 200, JSON.stringify(revoked.json));
  t.match(revoked.json, { warning: 'delivered', ip: { state: 'quarantined' } });

  await sink.waitForMessages(MESSAGES + 1, 180_000);
  const warning = sink.messages.find(isWarning);
  t.ok(warning, 'the warning email reached the sink');
  t.same(warning?.rcptTo, [CONTACT], 'sent to the tenant contact');
  t.equal(warning?.sourceAddress, POOL_IP, 'through the pool, not the IP being revoked');
  const rerouted = sink.messages.filter((m) => !isWarning(m) && m.sourceAddress === POOL_IP);
  t.ok(rerouted.length > 0, `${rerouted.length} messages re-routed through the pool`);
  t.ok(rerouted.every((m) => m.at >= (warning?.at ?? Infinity)), 'the warning arrived before any re-routed message');
  t.ok((warning?.at ?? Infinity) <= revokeDone, 'and before the removal');

  const helloOf = new Map(sink.sessions.map((s) => [s.id, s.helo]));
  for (const node of [1, 2]) {
    const fromNode = sink.messages.filter((m) => helloOf.get(m.sessionId) === `leased-n${node}.ferry.test`);
    const last = Math.max(0, ...fromNode.map((m) => m.at));
    t.ok(fromNode.length > 0, `node ${node} had sent from the leased IP`);
    t.ok(last <= revokeStarted + 5000, `node ${node}: last message from the leased IP ${last - revokeStarted} ms after the revoke call`);
  }

  const ids = sink.messages.filter((m) => !isWarning(m)).map(messageIdOf);
  t.equal(ids.length, MESSAGES, 'exactly 2,000 arrived');
  t.equal(new Set(ids).size, MESSAGES, 'none twice');
  t.same(new Set(ids), new Set(accepted), 'every accepted message, none lost');

  const ip = await api(adminPort, token, 'GET', `/v1/ips/${LEASED_IP}`);
  t.match(ip.json, { ip: { state: 'quarantined', stateReason: /spam run/, lease: { endedAt: Number }, revocation: { completedAt: Number } } });
});
