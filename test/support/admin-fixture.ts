/**
 * Test fixture for the admin API: a temp dataDir with the real LMDB env, embedded state store
 * and spool, a real DNS server on loopback for the resolver, and buildAdmin(deps) ready for
 * inject(). token(scopes) issues a real admin token in the store; accept() spools a message.
 * Exports startAdminFixture(t, options) → AdminFixture (torn down by t.teardown).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
