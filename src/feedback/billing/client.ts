/**
 * The auto-refill purchase client: one HTTP POST (undici) to the operator's billing endpoint,
 * body `{tenantId, amount, idempotencyKey}` signed with HMAC-SHA256 over `<timestamp>.<body>`
 * (headers X-Ferry-Timestamp, X-Ferry-Signature: v1=<hex>), retried with exponential backoff on
 * 5xx, 408, 429, network errors and timeouts. 2xx → purchased; any other 4xx → refused (the
 * operator said no: never retried). The same idempotencyKey on every retry, so a retry after a
 * lost answer cannot buy twice. Exports purchaseCredits, signPurchase, BillingSettings.
 */
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { RefillOutcome } from '../../state/index.ts';

export interface BillingSettings {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs: number;
  readonly retries: number;
  /** First backoff; doubled per retry, capped at 5 s. */
  readonly backoffMs?: number;
}

export interface PurchaseRequest {
  readonly tenantId: string;
  readonly amount: number;
  readonly idempotencyKey: string;
}

const MAX_BACKOFF_MS = 5_000;

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`: what X-Ferry-Signature carries. */
export function signPurchase(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

type Attempt = RefillOutcome | { readonly result: 'retry'; readonly reason: string };

async function attempt(settings: BillingSettings, body: string, signal: AbortSignal | undefined): Promise<Attempt> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  try {
    const response = await request(settings.url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-ferry-timestamp': timestamp, 'x-ferry-signature': signPurchase(settings.secret, timestamp, body) },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = (await response.body.text()).slice(0, 200);
    const { statusCode } = response;
    if (statusCode >= 200 && statusCode < 300) return { result: 'purchased', amount: (JSON.parse(body) as PurchaseRequest).amount };
    const reason = `billing answered ${statusCode}${text ? `: ${text}` : ''}`;
    if (statusCode >= 500 || statusCode === 408 || statusCode === 429) return { result: 'retry', reason };
    return { result: 'refused', reason };
  } catch (error) {
    return { result: 'retry', reason: `billing unreachable: ${(error as Error).message}` };
  }
}

/** Buys credits; resolves (never rejects) with what the billing endpoint decided. */
export async function purchaseCredits(settings: BillingSettings, purchase: PurchaseRequest, signal?: AbortSignal): Promise<RefillOutcome> {
  const body = JSON.stringify({ tenantId: purchase.tenantId, amount: purchase.amount, idempotencyKey: purchase.idempotencyKey });
  let backoff = settings.backoffMs ?? 200;
  let last = 'no attempt made';
  for (let tries = 0; tries <= settings.retries; tries += 1) {
    if (tries > 0) {
      await sleep(backoff, undefined, { signal }).catch(() => {});
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    if (signal?.aborted) break;
    const outcome = await attempt(settings, body, signal);
    if (outcome.result !== 'retry') return outcome;
    last = outcome.reason;
  }
  return { result: 'failed', reason: last };
}
