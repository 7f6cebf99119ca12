/**
 * The feedback loop as one role: outcome tails (suppression writer, complaint cases, webhook
 * queuer), the complaint deadline sweep, the webhook dispatcher, the inbound DSN/ARF listener
 * and the public unsubscribe endpoint, each optional by config. Exports startFeedbackLoop →
 * FeedbackLoop { ports, drain, sweep, ... stop }. Delivery reaches it only through outcome
 * records; what it needs of delivery (VERP verification) is passed in by main.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { parseDuration } from '../domain/index.ts';
import { loadTlsMaterial, type Logger } from '../platform/index.ts';
import type { StateStore } from '../state/index.ts';
import { createComplaintCases, type ComplaintCases } from './complaints/index.ts';
import { createReportHandler, startInboundListener, type InboundListener, type VerpSubject } from './inbound/index.ts';
import { createSuppressionWriter, OutcomeTail, type SuppressionWriter } from './suppression/index.ts';
import { buildUnsubscribeApp } from './unsubscribe/index.ts';
import { createWebhookDispatcher, createWebhookQueuer, type WebhookDispatcher } from './webhooks/index.ts';

export interface FeedbackDeps {
  readonly config: Config;
  readonly state: StateStore;
  readonly log: Logger;
  /** parseVerpAddress of the delivery stage, bound to the bounce domain and the VERP secret. */
  readonly parseVerp: (address: string) => VerpSubject | undefined;
  readonly unsubscribeSecret: Buffer;
  readonly now?: () => number;
  /** false: no timers (tests call drain / sweep / webhooks.runOnce with a fake clock). */
  readonly background?: boolean;
}

export interface FeedbackLoop {
  readonly ports: { readonly inbound?: number; readonly unsubscribe?: number };
  readonly suppression: SuppressionWriter;
  readonly complaints: ComplaintCases;
  readonly webhooks: WebhookDispatcher;
  readonly inbound: InboundListener | undefined;
  /** Runs every outcome consumer until it has caught up. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export function unsubscribeAddress(config: Config): string {
  return `${config.feedback.unsubscribe.mailtoLocalPart}@${config.delivery.bounceDomain}`;
}

async function listenUnsubscribe(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export async function startFeedbackLoop(deps: FeedbackDeps): Promise<FeedbackLoop> {
  const { config, state, log } = deps;
  const settings = config.feedback;
  const now = deps.now ?? Date.now;
  const suppression = createSuppressionWriter(state, settings.suppression, now);
  const complaints = createComplaintCases(state, parseDuration(settings.complaints.consentDeadline), now);
  const tails = [suppression, complaints, createWebhookQueuer(state)].map((consumer) => new OutcomeTail(state, consumer, { log }));
  // In order: the webhook queuer last, so it sees the Suppressed records the writer just emitted.
  const drain = async () => {
    for (const tail of tails) await tail.drain();
  };
  const nudge = () => void drain().catch((error: unknown) => log.warn({ err: error }, 'feedback drain failed'));
  const w = settings.webhooks;
  const webhooks = createWebhookDispatcher(state, {
    timeoutMs: parseDuration(w.timeout), retryForMs: parseDuration(w.retryFor), firstRetryMs: parseDuration(w.firstRetry), maxRetryMs: parseDuration(w.maxRetry),
    holder: config.nodeId,
  }, now, log);

  const handler = createReportHandler({ state, parseVerp: deps.parseVerp, unsubscribeSecret: deps.unsubscribeSecret, unsubscribeAddress: unsubscribeAddress(config), now });
  const i = settings.inbound;
  const inbound = i.enabled
    ? await startInboundListener({
      host: i.host, port: i.port, hostname: config.ingress.hostname, bounceDomain: config.delivery.bounceDomain,
      unsubscribeAddress: unsubscribeAddress(config), feedbackAddresses: i.feedbackAddresses, maxMessageSize: i.maxMessageSize,
      maxConnectionsPerIp: i.maxConnectionsPerIp, messagesPerMinutePerIp: i.messagesPerMinutePerIp, socketTimeoutMs: parseDuration(i.socketTimeout),
      tls: await loadTlsMaterial(config),
    }, { ...handler, handle: async (raw, rcpts) => { const result = await handler.handle(raw, rcpts); nudge(); return result; } }, deps.parseVerp, log)
    : undefined;
  const unsubscribeApp = settings.unsubscribe.enabled ? buildUnsubscribeApp({ state, secret: deps.unsubscribeSecret, now, onRecorded: nudge }) : undefined;
  const unsubscribePort = unsubscribeApp ? await listenUnsubscribe(unsubscribeApp, settings.unsubscribe.host, settings.unsubscribe.port) : undefined;

  let sweepTimer: NodeJS.Timeout | undefined;
  if (deps.background !== false) {
    for (const tail of tails) tail.start(parseDuration(w.pollEvery));
    if (w.enabled) webhooks.start(parseDuration(w.pollEvery));
    sweepTimer = setInterval(() => void complaints.sweep().catch((error: unknown) => log.warn({ err: error }, 'complaint sweep failed')), parseDuration(settings.complaints.checkEvery));
  }
  return {
    ports: { ...(inbound && { inbound: inbound.port }), ...(unsubscribePort !== undefined && { unsubscribe: unsubscribePort }) },
    suppression, complaints, webhooks, inbound, drain,
    async stop() {
      clearInterval(sweepTimer);
      await inbound?.stop();
      await unsubscribeApp?.close();
      await Promise.all(tails.map((tail) => tail.stop()));
      await webhooks.stop();
    },
  };
}
