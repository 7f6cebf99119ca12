/**
 * Test fixture for the admin API: a temp dataDir with the real LMDB env, embedded state store
 * and spool, a real DNS server on loopback for the resolver, and buildAdmin(deps) ready for
 * inject(). token(scopes) issues a real admin token in the store; accept() spools a message.
 * Exports startAdminFixture(t, options) → AdminFixture (torn down by t.teardown).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildAdmin } from '../../src/admin/app.ts';
import type { QueueSnapshot } from '../../src/admin/queue-snapshot.ts';
import { deepMerge, loadConfig, type Config } from '../../src/config/index.ts';
import { newAdminToken, newMessageId, type AcceptedMessage, type AdminScope } from '../../src/domain/index.ts';
import { createResolver, openLocalDatabase } from '../../src/platform/index.ts';
import { openSpool, type Spool } from '../../src/spool/index.ts';
import { openStateStore, type StateStore } from '../../src/state/index.ts';
import { startDnsServer, type DnsZone, type TestDnsServer } from './dns-server.ts';
import { relayEnv } from './relay-process.ts';

export interface AdminFixture {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly dns: TestDnsServer;
  /** What /v1/queues shows as the relay's egress paths. */
  snapshot: QueueSnapshot | undefined;
  token(scopes: readonly AdminScope[], name?: string): Promise<string>;
  accept(tenantId: string, rcptTo: readonly string[], receivedAt?: number): Promise<AcceptedMessage>;
  /** inject() with a bearer token and JSON body; returns status and parsed JSON. */
  // Answers are checked field by field in the tests; typing every route's answer here would only restate the routes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  call(token: string | undefined, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }>;
}

export async function startAdminFixture(t: Test, options: { config?: Record<string, unknown>; zone?: DnsZone } = {}): Promise<AdminFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-admin-'));
  const dns = await startDnsServer(options.zone ?? {});
  const base = { dataDir, dns: { servers: [dns.hostPort], timeout: '2s', negativeTtl: '1s' }, secrets: { masterKey: 'ab'.repeat(32) } };
  const config = loadConfig({ env: {}, overrides: deepMerge(base, options.config ?? {}) });
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(config, db);
  const spool = openSpool(db);
  const resolver = createResolver({ servers: [dns.hostPort], timeoutMs: 2000, negativeTtlMs: 1000 });
  const fixture: AdminFixture = {
    config, state, spool, dns, snapshot: undefined,
    app: undefined as unknown as FastifyInstance,
    async token(scopes, name = 'tester') {
      const { token, record } = newAdminToken(name, scopes);
      await state.addAdminToken(record);
      return token;
    },
    async accept(tenantId, rcptTo, receivedAt = Date.now()) {
      const body = Buffer.from('From: a@sender.test\r\nSubject: t\r\n\r\nhello\r\n');
      const message: AcceptedMessage = { id: newMessageId(receivedAt), tenantId, envelope: { mailFrom: 'a@sender.test', rcptTo }, fromDomain: 'sender.test', receivedAt, clientIp: '127.0.0.1', size: body.length, body };
      await spool.accept(message, receivedAt + 86_400_000);
      return message;
    },
    async call(token, method, url, body) {
      const response = await fixture.app.inject({
        method: method as 'GET',
        url,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        ...(body !== undefined && { payload: body as object }),
      });
      let json: unknown;
      try {
        json = response.json();
      } catch {
        json = response.body;
      }
      return { status: response.statusCode, json };
    },
  };
  (fixture as { app: FastifyInstance }).app = await buildAdmin({
    config, state, spool, resolver,
    queueSnapshot: async () => fixture.snapshot,
    readiness: async () => ({ spool: true, state: true, listeners: true }),
  });
  t.teardown(async () => {
    await fixture.app.close();
    await spool.close();
    await state.close();
    await db.close();
    await dns.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return fixture;
}

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const execFileAsync = promisify(execFile);

/** Runs the real `ferry` CLI on the fixture's data dir; never throws, returns exit code and output. */
export async function runFerry(f: AdminFixture, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = relayEnv(f.config.dataDir, { FERRY_SECRETS_MASTER_KEY: 'ab'.repeat(32) });
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], { env, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The fixture's admin API listening on an ephemeral port, with `--api URL --token T` for the CLI. */
export async function listeningAdmin(t: Test): Promise<{ f: AdminFixture; url: string; api: string[] }> {
  const f = await startAdminFixture(t);
  await f.app.listen({ host: '127.0.0.1', port: 0 });
  const address = f.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const token = await f.token(['read', 'tenants', 'abuse'], 'ops');
  return { f, url, api: ['--api', url, '--token', token] };
}
