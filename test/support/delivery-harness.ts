/**
 * Test harness for the delivery engine: a temp dataDir with the real LMDB spool and embedded
 * state store, a real DNS server (test/support/dns-server.ts) behind the real router, a fake
 * clock, tenants and sending domains with generated DKIM keys (rsa-2048 + ed25519), and
 * helpers to put messages straight into the spool and wait for outcome records.
 * Exports startHarness(t, options) → Harness; everything is torn down by t.teardown.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { deepMerge, loadConfig, type Config } from '../../src/config/index.ts';
import { newMessageId, parseDuration, type AcceptedMessage, type DkimKey, type OutcomeRecord, type OutcomeType, type Tenant } from '../../src/domain/index.ts';
import { createResolver, createLogger, openLocalDatabase } from '../../src/platform/index.ts';
import { handingSpool, openSpool, type Spool } from '../../src/spool/index.ts';
import { openStateStore, type StateStore } from '../../src/state/index.ts';
import { createRouter, startDelivery, type DeliveryEngine } from '../../src/delivery/index.ts';
import { startEgress, type Egress } from '../../src/egress/index.ts';
import { startDnsServer, type DnsZone, type TestDnsServer } from './dns-server.ts';

/** Path limits of one connection at a time (a stalled send holds the rest in the ready queue). */
export const ONE_CONNECTION = { maxConnections: 1, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 };
/** Session timeouts long enough that a stalled receiver is never timed out during a test. */
export const LONG_TIMEOUTS = { connect: '5s', greeting: '60s', command: '60s', data: '120s', idle: '30s' };

/** Polls `check` every 20 ms; throws `${what}: not within …` after timeoutMs. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface HarnessOptions {
  readonly config?: Record<string, unknown>;
  readonly zone?: DnsZone;
  readonly dkimWorkers?: number;
}

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

export interface Harness {
  readonly config: Config;
  readonly spool: Spool;
  readonly state: StateStore;
  readonly dns: TestDnsServer;
  readonly clock: FakeClock;
  readonly engine: DeliveryEngine;
  readonly verpSecret: Buffer;
  readonly egress: Egress;
  tenant(name: string, patch?: { pool?: string; contactEmail?: string; ipFallback?: 'pool' | 'wait' }): Promise<Tenant>;
  /** Adds a sending domain with rsa-sha256 (selector `rsa`) and ed25519-sha256 (selector `ed`) keys. */
  domain(tenant: Tenant, domain: string): Promise<DkimKey[]>;
  /**
   * Accepts a message into the spool (expires after delivery.maxQueueLifetime) and nudges the
   * engine; with `handOver`, through the relay's handingSpool (straight into the active window).
   */
  send(tenant: Tenant, from: string, to: readonly string[], extra?: { subject?: string; handOver?: boolean }): Promise<AcceptedMessage>;
  /** Polls the spool's stats until `check` holds (records are appended just before spool.complete). */
  spoolSettles(check: (stats: Awaited<ReturnType<Spool['stats']>>) => boolean, timeoutMs?: number): Promise<boolean>;
  /** Waits until at least `count` records of these types exist. */
  records(types: readonly OutcomeType[], count: number, timeoutMs?: number): Promise<OutcomeRecord[]>;
}

function dkimKey(algorithm: DkimKey['algorithm'], selector: string): DkimKey {
  const pair = algorithm === 'rsa-sha256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  // ed25519 p= is the raw 32-byte key (RFC 8463); rsa p= is the SubjectPublicKeyInfo.
  const publicKeyDns = (algorithm === 'rsa-sha256' ? spki : spki.subarray(spki.length - 32)).toString('base64');
  return { selector, algorithm, privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKeyDns, createdAt: Date.now() };
}

export function messageBody(from: string, to: readonly string[], subject: string): Buffer {
  const lines = [
    `From: Sender <${from}>`, `To: ${to.join(', ')}`, `Subject: ${subject}`, `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomBytes(8).toString('hex')}@ferry.test>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8',
    '', 'Hello from Ferry.', 'A second line,  with  spaces. ', '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

export async function startHarness(t: Test, options: HarnessOptions = {}): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-delivery-'));
  const dns = await startDnsServer(options.zone ?? {});
  const base = { dataDir, secrets: { masterKey: randomBytes(32).toString('hex') }, dns: { servers: [dns.hostPort], timeout: '2s', negativeTtl: '1s' } };
  const config = loadConfig({ env: {}, overrides: deepMerge(base, options.config ?? {}) });
  const db = openLocalDatabase(dataDir);
  const spool = openSpool(db);
  const state = await openStateStore(config, db);
  let current = Date.now();
  const clock: FakeClock = { now: () => current, advance: (ms) => void (current += ms) };
  const resolver = createResolver({ servers: config.dns.servers, timeoutMs: 2000, negativeTtlMs: 1000, clock });
  const router = createRouter({ config, resolver, random: () => 0.5 });
  const verpSecret = randomBytes(32);
  const log = createLogger('silent');
  const egress = await startEgress({ config, state, spool, log, now: clock.now, random: () => 0.5 });
  const engine = startDelivery({ config, state, spool, router, log, verpSecret, clock, dkimWorkers: options.dkimWorkers ?? 0, egress: egress.chooser });
  egress.view.onUsageChange((address) => engine.retireIp(address));
  t.teardown(async () => {
    await egress.stop();
    await engine.stop(2000);
    await spool.close();
    await state.close();
    await db.close();
    await dns.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const lifetime = (): number => parseDuration(config.delivery.maxQueueLifetime);

  return {
    config, spool, state, dns, clock, engine, egress, verpSecret,
    async tenant(name, patch) {
      return state.createTenant({ name, ...patch });
    },
    async domain(tenant, domain) {
      const keys = [dkimKey('rsa-sha256', 'rsa'), dkimKey('ed25519-sha256', 'ed')];
      await state.addDomain({ domain, tenantId: tenant.id, createdAt: Date.now(), dkimKeys: keys });
      return keys;
    },
    async send(tenant, from, to, extra = {}) {
      const receivedAt = clock.now();
      const body = messageBody(from, to, extra.subject ?? 'test message');
      const message: AcceptedMessage = {
        id: newMessageId(receivedAt), tenantId: tenant.id, envelope: { mailFrom: from, rcptTo: [...to] },
        fromDomain: from.slice(from.lastIndexOf('@') + 1), receivedAt, clientIp: '127.0.0.1', size: body.length, body,
      };
      if (extra.handOver) {
        await handingSpool(spool, () => engine).accept(message, receivedAt + lifetime());
        return message;
      }
      await spool.accept(message, receivedAt + lifetime());
      engine.nudge();
      return message;
    },
    async spoolSettles(check, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!check(await spool.stats())) {
        if (Date.now() > deadline) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    async records(types, count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await state.readOutcomes({ types });
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`only ${found.length} of ${count} ${types.join('/')} records after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
