/**
 * Redis store: the feedback loop's state. Exports RedisFeedback, which implements FeedbackState.
 * Suppression lists are one HASH per scope (tenant slot; the global list is the `{*}` slot), the
 * soft-bounce tally a ZSET of day numbers per address, the webhook outbox a ZSET per tenant
 * scored by outcome seq; cursors, complaint cases and webhook endpoints are HASHes in the
 * catalog slot. Every read-decide-write is one Lua script (scripts/*.lua); webhook secrets are
 * sealed with the master key like DKIM keys.
 */
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import type { SecretBox } from '../secrets.ts';
import {
  GLOBAL_SCOPE, normalizeAddress,
  type ComplaintCase, type ComplaintCaseQuery, type ComplaintCaseStatus, type FeedbackState, type SuppressionEntry,
  type SuppressionWrite, type WebhookEndpoint, type WebhookEvent,
} from '../feedback-types.ts';
import type { RedisConnection } from './connection.ts';
import type { RedisKeys } from './keys.ts';

type StoredEndpoint = Omit<WebhookEndpoint, 'secret'> & { readonly sealedSecret: string };

function parse<T>(raw: unknown): T | undefined {
  return raw === null || raw === undefined ? undefined : (JSON.parse(String(raw)) as T);
}

export class RedisFeedback implements FeedbackState {
  readonly #redis: RedisConnection;
  readonly #keys: RedisKeys;
  readonly #secrets: SecretBox;

  constructor(redis: RedisConnection, keys: RedisKeys, secrets: SecretBox) {
    this.#redis = redis;
    this.#keys = keys;
    this.#secrets = secrets;
  }

  async addSuppression(input: SuppressionEntry, now: number): Promise<SuppressionWrite> {
    const entry = { ...input, address: normalizeAddress(input.address) };
    const args = [entry.address, JSON.stringify(entry), now, entry.expiresAt ?? ''];
    const [applied, kept] = (await this.#redis.run('suppression_add', [this.#keys.suppressions(entry.scope)], args)) as [number, string];
    return { applied: applied === 1, entry: JSON.parse(kept) as SuppressionEntry };
  }

  async findSuppression(tenantId: string, address: string, now: number): Promise<SuppressionEntry | undefined> {
    const normalized = normalizeAddress(address);
    const [own, global] = await this.#redis.call((c) =>
      Promise.all([c.hget(this.#keys.suppressions(tenantId), normalized), c.hget(this.#keys.suppressions(GLOBAL_SCOPE), normalized)]));
    for (const raw of [own, global]) {
      const entry = parse<SuppressionEntry>(raw);
      if (entry && (entry.expiresAt === undefined || entry.expiresAt > now)) return entry;
    }
    return undefined;
  }

  async removeSuppression(scope: string, address: string, note: string): Promise<SuppressionEntry | undefined> {
    if (note.trim() === '') throw new FerryError(ErrorCodes.INVALID_INPUT, 'removing a suppression needs a note');
    return parse(await this.#redis.run('hash_take', [this.#keys.suppressions(scope)], [normalizeAddress(address)]));
  }

  async listSuppressions(scope: string, limit = 1000): Promise<SuppressionEntry[]> {
    const all = await this.#redis.call((c) => c.hgetall(this.#keys.suppressions(scope)));
    return Object.values(all).map((raw) => JSON.parse(raw) as SuppressionEntry)
      .sort((a, b) => (a.address < b.address ? -1 : 1)).slice(0, limit);
  }

  async noteSoftBounce(scope: string, address: string, day: number, windowDays: number): Promise<number> {
    return Number(await this.#redis.run('soft_bounce_note', [this.#keys.softBounces(scope, normalizeAddress(address))], [day, windowDays]));
  }

  async getCursor(name: string): Promise<number> {
    return Number((await this.#redis.call((c) => c.hget(this.#keys.cursors(), name))) ?? 0);
  }

  async advanceCursor(name: string, seq: number): Promise<void> {
    await this.#redis.run('cursor_advance', [this.#keys.cursors()], [name, seq]);
  }

  async openComplaintCase(complaintCase: ComplaintCase): Promise<{ applied: boolean; complaintCase: ComplaintCase }> {
    const key = this.#keys.complaintCases();
    const created = await this.#redis.call((c) => c.hsetnx(key, complaintCase.id, JSON.stringify(complaintCase)));
    if (created === 1) return { applied: true, complaintCase };
    return { applied: false, complaintCase: (await this.getComplaintCase(complaintCase.id)) ?? complaintCase };
  }

  async getComplaintCase(id: string): Promise<ComplaintCase | undefined> {
    return parse(await this.#redis.call((c) => c.hget(this.#keys.complaintCases(), id)));
  }

  async listComplaintCases(query: ComplaintCaseQuery): Promise<ComplaintCase[]> {
    const all = await this.#redis.call((c) => c.hgetall(this.#keys.complaintCases()));
    return Object.values(all).map((raw) => JSON.parse(raw) as ComplaintCase)
      .filter((c) => (query.tenantId === undefined || c.tenantId === query.tenantId) && (query.status === undefined || c.status === query.status))
      .sort((a, b) => a.openedAt - b.openedAt);
  }

  async transitionComplaintCase(id: string, from: readonly ComplaintCaseStatus[], patch: Partial<ComplaintCase>): Promise<ComplaintCase | undefined> {
    return parse(await this.#redis.run('complaint_transition', [this.#keys.complaintCases()], [id, JSON.stringify(patch), ...from]));
  }

  async setWebhookEndpoint(tenantId: string, endpoint: WebhookEndpoint | undefined): Promise<void> {
    const key = this.#keys.webhookEndpoints();
    if (!endpoint) {
      await this.#redis.call((c) => c.hdel(key, tenantId));
      return;
    }
    const { secret, ...rest } = endpoint;
    const stored: StoredEndpoint = { ...rest, tenantId, sealedSecret: this.#secrets.seal(secret, `webhook:${tenantId}`) };
    await this.#redis.call((c) => c.hset(key, tenantId, JSON.stringify(stored)));
  }

  #open(stored: StoredEndpoint): WebhookEndpoint {
    const { sealedSecret, ...rest } = stored;
    return { ...rest, secret: this.#secrets.open(sealedSecret, `webhook:${stored.tenantId}`) };
  }

  async getWebhookEndpoint(tenantId: string): Promise<WebhookEndpoint | undefined> {
    const stored = parse<StoredEndpoint>(await this.#redis.call((c) => c.hget(this.#keys.webhookEndpoints(), tenantId)));
    return stored && this.#open(stored);
  }

  async listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
    const all = await this.#redis.call((c) => c.hgetall(this.#keys.webhookEndpoints()));
    return Object.values(all).map((raw) => this.#open(JSON.parse(raw) as StoredEndpoint));
  }

  async enqueueWebhookEvents(events: readonly WebhookEvent[]): Promise<void> {
    const byTenant = new Map<string, (string | number)[]>();
    for (const event of events) byTenant.set(event.tenantId, [...(byTenant.get(event.tenantId) ?? []), event.seq, JSON.stringify(event)]);
    for (const [tenantId, args] of byTenant) await this.#redis.run('outbox_add', [this.#keys.webhookOutbox(tenantId)], args);
  }

  async peekWebhookEvents(tenantId: string, limit: number): Promise<WebhookEvent[]> {
    if (limit <= 0) return [];
    const raw = await this.#redis.call((c) => c.zrange(this.#keys.webhookOutbox(tenantId), '0', String(limit - 1)));
    return raw.map((member) => JSON.parse(member) as WebhookEvent);
  }

  async removeWebhookEvents(tenantId: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.#redis.run('zset_remove_scores', [this.#keys.webhookOutbox(tenantId)], seqs);
  }
}
