/**
 * Webhook delivery from the durable outbox: per tenant, the oldest events go out in seq order
 * (one per request, or a JSON array of up to batchSize), signed, with undici and a hard timeout.
 * A failure holds that tenant's queue (order per message is kept) and retries with exponential
 * backoff (firstRetry … maxRetry); events older than retryFor are dropped and counted. Across nodes
 * a tenant's outbox is served by one node at a time (a state-store lease taken before each request),
 * so two nodes never post the same events or reorder them. Tenants are
 * served concurrently and nothing here is on the mail path: a dead endpoint slows no mail and no
 * other tenant. Exports createWebhookDispatcher → WebhookDispatcher { runOnce, start, stop, stats }.
 */
import { Agent, request } from 'undici';
import type { Logger } from '../../platform/index.ts';
import type { StateStore, WebhookEndpoint, WebhookEvent } from '../../state/index.ts';
import { signWebhook, SIGNATURE_HEADER } from './signature.ts';

export interface DispatcherSettings {
  readonly timeoutMs: number;
  readonly retryForMs: number;
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
  /** This node's id: one node at a time sends a tenant's events (a state-store lease), so nodes never race on one outbox. */
  readonly holder?: string;
}

export interface WebhookStats {
  delivered: number;
  requests: number;
  failures: number;
  dropped: number;
}

export interface WebhookDispatcher {
  /** One pass over every tenant with an endpoint (each drains until empty, a failure, or its backoff). */
  runOnce(): Promise<void>;
  start(pollMs: number): void;
  stop(): Promise<void>;
  readonly stats: WebhookStats;
}

interface Backoff {
  readonly failures: number;
  readonly nextAt: number;
}

const MAX_BATCHES_PER_PASS = 50;

export function createWebhookDispatcher(state: StateStore, settings: DispatcherSettings, now: () => number = Date.now, log?: Logger): WebhookDispatcher {
  const agent = new Agent({ connections: 4, headersTimeout: settings.timeoutMs, bodyTimeout: settings.timeoutMs, connectTimeout: settings.timeoutMs });
  const stats: WebhookStats = { delivered: 0, requests: 0, failures: 0, dropped: 0 };
  const backoff = new Map<string, Backoff>();
  const busy = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function post(endpoint: WebhookEndpoint, events: readonly WebhookEvent[]): Promise<boolean> {
    const body = JSON.stringify(endpoint.batchSize <= 1 ? events[0] : events);
    stats.requests += 1;
    try {
      const response = await request(endpoint.url, {
        method: 'POST', dispatcher: agent, body, signal: AbortSignal.timeout(settings.timeoutMs),
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(endpoint.secret, body, now()), 'user-agent': 'ferry-webhooks' },
      });
      await response.body.dump();
      return response.statusCode >= 200 && response.statusCode < 300;
    } catch (error) {
      log?.debug({ err: error, tenantId: endpoint.tenantId }, 'webhook request failed');
      return false;
    }
  }

  /** Drops events past retryFor at the head of the queue; returns the live ones. */
  async function dropExpired(tenantId: string, events: readonly WebhookEvent[]): Promise<WebhookEvent[]> {
    const dead = events.filter((e) => e.createdAt + settings.retryForMs < now());
    if (dead.length === 0) return [...events];
    await state.removeWebhookEvents(tenantId, dead.map((e) => e.seq));
    stats.dropped += dead.length;
    log?.warn({ tenantId, dropped: dead.length }, 'webhook events dropped after the retry period');
    return events.filter((e) => !dead.includes(e));
  }

  /** Held (or refreshed) for one request at a time; lost → another node serves the tenant now. */
  const leaseKey = (tenantId: string) => `webhooks:${tenantId}`;
  const leaseTtlMs = 2 * settings.timeoutMs + 5_000;
  const holder = settings.holder ?? `dispatcher-${process.pid}-${Math.random().toString(36).slice(2)}`;

  async function serveTenant(endpoint: WebhookEndpoint): Promise<void> {
    const { tenantId } = endpoint;
    const held = backoff.get(tenantId);
    if (busy.has(tenantId) || (held && held.nextAt > now())) return;
    busy.add(tenantId);
    let leased = false;
    try {
      for (let pass = 0; pass < MAX_BATCHES_PER_PASS; pass++) {
        leased = await state.acquireLease(leaseKey(tenantId), holder, 1, leaseTtlMs);
        if (!leased) return;
        const events = await dropExpired(tenantId, await state.peekWebhookEvents(tenantId, Math.max(1, endpoint.batchSize)));
        if (events.length === 0) return;
        if (!(await post(endpoint, events))) {
          stats.failures += 1;
          const failures = (backoff.get(tenantId)?.failures ?? 0) + 1;
          const delay = Math.min(settings.maxRetryMs, settings.firstRetryMs * 2 ** (failures - 1));
          backoff.set(tenantId, { failures, nextAt: now() + delay });
          return;
        }
        backoff.delete(tenantId);
        await state.removeWebhookEvents(tenantId, events.map((e) => e.seq));
        stats.delivered += events.length;
      }
    } finally {
      if (leased) await state.releaseLease(leaseKey(tenantId), holder).catch(() => undefined);
      busy.delete(tenantId);
    }
  }

  async function runOnce(): Promise<void> {
    const endpoints = await state.listWebhookEndpoints();
    await Promise.all(endpoints.map((endpoint) => serveTenant(endpoint).catch((error: unknown) => log?.warn({ err: error, tenantId: endpoint.tenantId }, 'webhook pass failed'))));
  }

  return {
    stats,
    runOnce,
    start(pollMs) {
      const tick = () => {
        running = runOnce().catch((error: unknown) => log?.warn({ err: error }, 'webhook pass failed')).finally(() => {
          if (timer !== undefined) timer = setTimeout(tick, pollMs);
        });
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      await running;
      await agent.close();
    },
  };
}
