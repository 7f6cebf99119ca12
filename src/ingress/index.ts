/**
 * The ingress stage: two smtp-server listeners on `ingress.host` — submission (STARTTLS,
 * `ingress.submission.port`) and SMTPS (implicit TLS, `ingress.smtps.port`); port 0 → ephemeral,
 * the bound ports are returned (0 = listener disabled). AUTH PLAIN/LOGIN only after TLS.
 * Exports startIngress. stop() (idempotent): stop listening, let in-flight spool commits finish (their 250
 * goes out), answer every open session `421 4.3.2` and close it, flush outcome records, resolve.
 */
import type { Server as NetServer } from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import type { Config } from '../config/index.ts';
import { parseDuration } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import { loadTlsMaterial } from '../platform/index.ts';
import { createPolicy, type IngressChecks, type Policy } from '../policy/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/index.ts';
import type { IngressContext } from './context.ts';
import { onData } from './data.ts';
import { OutcomeWriter } from './outcomes.ts';
import { formatReply, SHUTTING_DOWN_REPLY } from './replies.ts';
import { FerrySmtpServer } from './server.ts';
import type { IngressObserver } from './observer.ts';
import { onAuth, onClose, onConnect, onMailFrom, onRcptTo } from './session.ts';

export { smtpReplyFor, replyLine, formatReply, SHUTTING_DOWN_REPLY } from './replies.ts';
export type { IngressObserver } from './observer.ts';

export interface IngressOptions {
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly log: Logger;
  /** The closed list of policy checks; defaults to policy's defaultIngressChecks. */
  readonly checks?: IngressChecks;
  /** A policy built by the caller (main.ts wires auto-refill into its credit meter); else createPolicy. */
  readonly policy?: Policy;
  /** Watches sessions and replies (metrics); wired in main.ts. */
  readonly observer?: IngressObserver;
}

export interface Ingress {
  /** Bound ports; 0 when that listener is disabled. */
  readonly ports: { readonly submission: number; readonly smtps: number };
  stop(): Promise<void>;
}

/** How long stop() waits for in-flight spool commits before it closes sessions anyway. */
const STOP_COMMIT_WAIT_MS = 10_000;

function serverOptions(context: IngressContext, tls: { cert: string; key: string }, implicitTls: boolean, inFlight: Set<Promise<unknown>>): SMTPServerOptions {
  const { ingress } = context.config;
  return {
    secure: implicitTls,
    key: tls.key,
    cert: tls.cert,
    name: ingress.hostname,
    banner: 'Ferry',
    size: ingress.limits.maxMessageSize,
    authMethods: ['PLAIN', 'LOGIN'],
    // Our MAIL FROM handler answers 530 (or admits a relay-network client), so smtp-server need not.
    authOptional: true,
    allowInsecureAuth: false,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: true,
    hideREQUIRETLS: true,
    disableReverseLookup: true,
    logger: false,
    maxClients: ingress.limits.maxConnections,
    socketTimeout: parseDuration(ingress.limits.socketTimeout),
    closeTimeout: STOP_COMMIT_WAIT_MS,
    onConnect: onConnect(context),
    onAuth: onAuth(context),
    onMailFrom: onMailFrom(context),
    onRcptTo: onRcptTo(context),
    onData: onData(context, inFlight),
    onClose: onClose(context),
  };
}

/** reusePort: several processes of one node listen on the port (ingress.processes > 1, Linux SO_REUSEPORT). */
async function listen(server: FerrySmtpServer, port: number, host: string, reusePort: boolean): Promise<number> {
  const net: NetServer = server.server;
  await new Promise<void>((resolve, reject) => {
    net.once('error', reject);
    server.listen({ port, host, reusePort }, () => {
      net.off('error', reject);
      resolve();
    });
  });
  const address = net.address();
  return typeof address === 'object' && address ? address.port : port;
}

async function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Stops one listener: no new connections, in-flight commits finish, then 421 4.3.2 to every session. */
async function stopServer(server: FerrySmtpServer, inFlight: Set<Promise<unknown>>): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(resolve));
  await withTimeout(Promise.allSettled([...inFlight]), STOP_COMMIT_WAIT_MS);
  for (const connection of [...server.connections]) connection.send(SHUTTING_DOWN_REPLY.code, formatReply(SHUTTING_DOWN_REPLY));
  await closed;
}

export async function startIngress(options: IngressOptions): Promise<Ingress> {
  const { config, state, spool, log } = options;
  const tls = await loadTlsMaterial(config);
  if (tls.source === 'generated') log.warn({ cert: tls.certPath }, 'generated a self-signed TLS certificate for SMTP; configure ingress.tls for production');
  else log.info({ cert: tls.certPath, source: tls.source }, 'SMTP TLS certificate loaded');

  const outcomes = new OutcomeWriter(state, log);
  const context: IngressContext = {
    config, state, spool, log, outcomes,
    policy: options.policy ?? createPolicy(config, state, options.checks),
    sessions: new Map(),
    queueLifetimeMs: parseDuration(config.delivery.maxQueueLifetime),
  };
  const inFlight = new Set<Promise<unknown>>();
  const servers: FerrySmtpServer[] = [];
  const start = async (enabled: boolean, port: number, implicitTls: boolean): Promise<number> => {
    if (!enabled) return 0;
    const server = new FerrySmtpServer(serverOptions(context, tls, implicitTls, inFlight));
    server.observer = options.observer;
    server.on('error', (err: Error) => log.debug({ err }, 'SMTP connection error'));
    servers.push(server);
    return listen(server, port, config.ingress.host, config.ingress.processes > 1);
  };
  try {
    const submission = await start(config.ingress.submission.enabled, config.ingress.submission.port, false);
    const smtps = await start(config.ingress.smtps.enabled, config.ingress.smtps.port, true);
    log.info({ host: config.ingress.host, submission, smtps }, 'SMTP ingress listening');
    let stopping: Promise<void> | undefined;
    const stop = async () => {
      await Promise.all(servers.map((server) => stopServer(server, inFlight)));
      await outcomes.flush();
      log.info('SMTP ingress stopped');
    };
    return { ports: { submission, smtps }, stop: () => (stopping ??= stop()) };
  } catch (error) {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(resolve))));
    throw error;
  }
}
