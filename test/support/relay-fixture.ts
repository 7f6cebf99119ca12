/**
 * Test fixture: the real accept half of the relay in a temp dataDir — LMDB local database, the
 * embedded state store, the spool and the SMTP ingress on ephemeral ports of 127.0.0.1 (delivery
 * off unless the caller starts it). Helpers create tenants with API keys and sending domains, and
 * SmtpWire is a raw-socket SMTP client (STARTTLS, implicit TLS, exact bytes) for wire-level tests.
 * Exports startRelayFixture(t, options) → RelayFixture (torn down by t.teardown) and SmtpWire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Test } from 'tap';
import { deepMerge, loadConfig, type Config } from '../../src/config/index.ts';
import { hashApiKey, newApiKey, type ApiKeyRecord, type Tenant } from '../../src/domain/index.ts';
import { startIngress, type Ingress } from '../../src/ingress/index.ts';
import { createLogger, openLocalDatabase, type LocalDatabase, type Logger } from '../../src/platform/index.ts';
import { openSpool, type Spool } from '../../src/spool/index.ts';
import { openStateStore, type StateStore } from '../../src/state/index.ts';

export interface RelayFixtureOptions {
  /** Config overrides merged over the fixture's (ports 0, temp dataDir, delivery off). */
  readonly config?: Record<string, unknown>;
  /** Pino level of the relay's log (default: FERRY_TEST_LOG or silent). */
  readonly logLevel?: string;
}

export interface TestTenant {
  readonly tenant: Tenant;
  /** The API key in clear (SMTP password). */
  readonly apiKey: string;
  readonly key: ApiKeyRecord;
  /** Its first sending domain. */
  readonly domain: string;
}

export interface RelayFixture {
  readonly config: Config;
  readonly dataDir: string;
  readonly db: LocalDatabase;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly ingress: Ingress;
  readonly log: Logger;
  readonly ports: Ingress['ports'];
  /** A tenant with one API key and the given sending domains (default `<name>.test`). */
  tenant(name: string, options?: { domains?: readonly string[]; relayNetworks?: readonly string[] }): Promise<TestTenant>;
  /** Stops the ingress (idempotent); teardown calls it too. */
  stopIngress(): Promise<void>;
}

export async function startRelayFixture(t: Test, options: RelayFixtureOptions = {}): Promise<RelayFixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-relay-'));
  const base = {
    dataDir,
    ingress: { host: '127.0.0.1', hostname: 'relay.ferry.test', submission: { port: 0 }, smtps: { port: 0 } },
    delivery: { enabled: false },
  };
  const config = loadConfig({ env: {}, overrides: deepMerge(base, options.config ?? {}) });
  const log = createLogger(options.logLevel ?? process.env.FERRY_TEST_LOG ?? 'silent');
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(config, db);
  const spool = openSpool(db);
  const ingress = await startIngress({ config, state, spool, log });
  let stopped: Promise<void> | undefined;
  const stopIngress = () => (stopped ??= ingress.stop());
  t.teardown(async () => {
    await stopIngress();
    await spool.close().catch(() => {});
    await state.close().catch(() => {});
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    config, dataDir, db, state, spool, ingress, log, ports: ingress.ports, stopIngress,
    async tenant(name, tenantOptions = {}) {
      const tenant = await state.createTenant({ name, relayNetworks: tenantOptions.relayNetworks ?? [] });
      const apiKey = newApiKey();
      const key = await state.addApiKey(tenant.id, hashApiKey(apiKey));
      const domains = tenantOptions.domains ?? [`${name}.test`];
      for (const domain of domains) await state.addDomain({ domain, tenantId: tenant.id, createdAt: Date.now(), dkimKeys: [] });
      return { tenant, apiKey, key, domain: domains[0] ?? '' };
    },
  };
}

/** TLS over a connected socket; the certificate is not verified (tests only). */
async function upgradeToTls(socket: Socket): Promise<TLSSocket> {
  const secure = tlsConnect({ socket, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', () => resolve());
    secure.once('error', reject);
  });
  return secure;
}

export interface WireReply {
  readonly code: number;
  /** Every line of the reply without the `NNN-` / `NNN ` prefix. */
  readonly lines: readonly string[];
  /** The last line as sent, e.g. `250 2.0.0 queued as …`. */
  readonly line: string;
}

export interface WireOptions {
  readonly port: number;
  readonly host?: string;
  /** Source address (any 127.0.0.0/8 address), so tests can play different client IPs. */
  readonly localAddress?: string;
  readonly implicitTls?: boolean;
  readonly timeoutMs?: number;
}

/** A raw SMTP client: exact bytes on the wire, one reply at a time, every read time-bounded. */
export class SmtpWire {
  #socket: Socket | TLSSocket;
  #buffer = '';
  #replies: WireReply[] = [];
  #waiting: ((reply: WireReply | Error) => void) | undefined;
  #ended = false;
  readonly #timeoutMs: number;

  private constructor(socket: Socket | TLSSocket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    this.#attach(socket);
  }

  static async open(options: WireOptions): Promise<{ wire: SmtpWire; greeting: WireReply }> {
    const raw = netConnect({ host: options.host ?? '127.0.0.1', port: options.port, localAddress: options.localAddress });
    await new Promise<void>((resolve, reject) => {
      raw.once('connect', () => resolve());
      raw.once('error', reject);
    });
    const socket = options.implicitTls ? await upgradeToTls(raw) : raw;
    const wire = new SmtpWire(socket, options.timeoutMs ?? 5000);
    return { wire, greeting: await wire.read() };
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.#ended = true;
      this.#waiting?.(new Error('connection closed'));
    });
  }

  #onData(text: string): void {
    this.#buffer += text;
    let lines: string[] = [];
    let newline: number;
    while ((newline = this.#buffer.indexOf('\r\n')) !== -1) {
      const line = this.#buffer.slice(0, newline);
      this.#buffer = this.#buffer.slice(newline + 2);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        this.#replies.push({ code: Number(line.slice(0, 3)), lines: lines.map((l) => l.slice(4)), line });
        lines = [];
      }
    }
    if (lines.length > 0) this.#buffer = lines.map((l) => l + '\r\n').join('') + this.#buffer;
    const next = this.#replies.shift();
    if (next && this.#waiting) this.#waiting(next);
    else if (next) this.#replies.unshift(next);
  }

  /** The next reply (rejects after the timeout or when the server closed without one). */
  read(): Promise<WireReply> {
    const ready = this.#replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.#ended) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        reject(new Error(`no SMTP reply within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#waiting = (reply) => {
        clearTimeout(timer);
        this.#waiting = undefined;
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
    });
  }

  /** Replies already received and not yet read (to prove nothing extra was answered). */
  get pendingReplies(): number {
    return this.#replies.length;
  }

  get closed(): boolean {
    return this.#ended;
  }

  write(raw: string | Buffer): void {
    this.#socket.write(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
  }

  async command(line: string): Promise<WireReply> {
    this.write(line + '\r\n');
    return this.read();
  }

  /** STARTTLS and the TLS handshake (certificate not verified: tests only). */
  async startTls(): Promise<WireReply> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) return reply;
    const raw = this.#socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    const secure = await upgradeToTls(raw);
    this.#socket = secure;
    this.#attach(secure);
    return reply;
  }

  async authPlain(username: string, password: string): Promise<WireReply> {
    return this.command(`AUTH PLAIN ${Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64')}`);
  }

  close(): void {
    this.#socket.destroy();
  }
}

/**
 * One message over STARTTLS + AUTH from news@<tenant's domain> to reader@example.org; `content`
 * follows the From: and To: lines (more header lines, a blank line, the body, CRLF-ended).
 * Returns the reply that decided it: the first refusal (≥ 400) of MAIL/RCPT/DATA, else the reply
 * to the end of data.
 */
export async function sendOverWire(relay: RelayFixture, tenant: TestTenant, content: string): Promise<string> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission, timeoutMs: 10_000 });
  try {
    await wire.command('EHLO client.test');
    await wire.startTls();
    await wire.command('EHLO client.test');
    if ((await wire.authPlain('apikey', tenant.apiKey)).code !== 235) throw new Error('AUTH failed');
    for (const line of [`MAIL FROM:<news@${tenant.domain}>`, 'RCPT TO:<reader@example.org>', 'DATA']) {
      const reply = await wire.command(line);
      if (reply.code >= 400) return reply.line;
    }
    wire.write(`From: news@${tenant.domain}\r\nTo: reader@example.org\r\n${content}.\r\n`);
    return (await wire.read()).line;
  } finally {
    wire.close();
  }
}

/** The newest record of a type past `afterSeq`, waiting up to 5 s (outcome writes land after the reply). */
export async function lastRecord<T>(relay: RelayFixture, type: 'Reception' | 'Rejection', afterSeq = 0): Promise<T> {
  for (let waited = 0; waited < 5_000; waited += 25) {
    const records = await relay.state.readOutcomes({ types: [type], afterSeq });
    if (records.length > 0) return records.at(-1) as T;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no ${type} record after seq ${afterSeq}`);
}
