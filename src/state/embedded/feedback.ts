/**
 * Embedded store: the feedback loop's state in sub-databases `state.suppressions`
 * ([scope, address] → entry), `state.softBounces` ([scope, address] → day numbers),
 * `state.cursors`, `state.complaintCases`, `state.webhookEndpoints` (secret sealed) and
 * `state.webhookOutbox` ([tenantId, seq] → event). Exports FeedbackRecords, which implements
 * FeedbackState. Every read-decide-write is one LMDB write transaction.
 */
import type { Database } from 'lmdb';
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import type { LocalDatabase } from '../../platform/index.ts';
import type { SecretBox } from '../secrets.ts';
import {
  GLOBAL_SCOPE, normalizeAddress, outlasts,
  type ComplaintCase, type ComplaintCaseQuery, type ComplaintCaseStatus, type FeedbackState, type SuppressionEntry,
  type SuppressionWrite, type WebhookEndpoint, type WebhookEvent,
} from '../feedback-types.ts';

type StoredEndpoint = Omit<WebhookEndpoint, 'secret'> & { readonly sealedSecret: string };

const END = '\uffff';

export class FeedbackRecords implements FeedbackState {
  readonly #root: LocalDatabase;
  readonly #secrets: SecretBox;
  readonly #suppressions: Database<SuppressionEntry, [string, string]>;
  readonly #softBounces: Database<number[], [string, string]>;
  readonly #cursors: Database<number, string>;
  readonly #cases: Database<ComplaintCase, string>;
  readonly #endpoints: Database<StoredEndpoint, string>;
  readonly #outbox: Database<WebhookEvent, [string, number]>;

  constructor(root: LocalDatabase, secrets: SecretBox) {
    this.#root = root;
    this.#secrets = secrets;
    this.#suppressions = root.openDB({ name: 'state.suppressions' });
    this.#softBounces = root.openDB({ name: 'state.softBounces' });
    this.#cursors = root.openDB({ name: 'state.cursors' });
    this.#cases = root.openDB({ name: 'state.complaintCases' });
    this.#endpoints = root.openDB({ name: 'state.webhookEndpoints' });
    this.#outbox = root.openDB({ name: 'state.webhookOutbox' });
  }

  async addSuppression(input: SuppressionEntry, now: number): Promise<SuppressionWrite> {
    const entry = { ...input, address: normalizeAddress(input.address) };
    const key: [string, string] = [entry.scope, entry.address];
    return this.#root.transaction(() => {
      const existing = this.#suppressions.get(key);
      if (existing && !outlasts(entry, existing, now)) return { applied: false, entry: existing };
      void this.#suppressions.put(key, entry);
      return { applied: true, entry };
    });
  }

  async findSuppression(tenantId: string, address: string, now: number): Promise<SuppressionEntry | undefined> {
    const normalized = normalizeAddress(address);
    for (const scope of [tenantId, GLOBAL_SCOPE]) {
      const entry = this.#suppressions.get([scope, normalized]);
      if (entry && (entry.expiresAt === undefined || entry.expiresAt > now)) return entry;
    }
    return undefined;
  }

  async removeSuppression(scope: string, address: string, note: string): Promise<SuppressionEntry | undefined> {
    if (note.trim() === '') throw new FerryError(ErrorCodes.INVALID_INPUT, 'removing a suppression needs a note');
    const key: [string, string] = [scope, normalizeAddress(address)];
    return this.#root.transaction(() => {
      const existing = this.#suppressions.get(key);
      if (existing) void this.#suppressions.remove(key);
      return existing;
    });
  }

  async listSuppressions(scope: string, limit = 1000): Promise<SuppressionEntry[]> {
    return [...this.#suppressions.getRange({ start: [scope, ''], end: [scope, END], limit })].map(({ value }) => value);
  }

  async noteSoftBounce(scope: string, address: string, day: number, windowDays: number): Promise<number> {
    const key: [string, string] = [scope, normalizeAddress(address)];
    return this.#root.transaction(() => {
      const days = new Set((this.#softBounces.get(key) ?? []).filter((d) => d > day - windowDays));
      days.add(day);
      void this.#softBounces.put(key, [...days].sort((a, b) => a - b));
      return days.size;
    });
  }

  async getCursor(name: string): Promise<number> {
    return this.#cursors.get(name) ?? 0;
  }

  async advanceCursor(name: string, seq: number): Promise<void> {
    await this.#root.transaction(() => {
      if ((this.#cursors.get(name) ?? 0) < seq) void this.#cursors.put(name, seq);
    });
  }

  async openComplaintCase(complaintCase: ComplaintCase): Promise<{ applied: boolean; complaintCase: ComplaintCase }> {
    return this.#root.transaction(() => {
      const existing = this.#cases.get(complaintCase.id);
      if (existing) return { applied: false, complaintCase: existing };
      void this.#cases.put(complaintCase.id, complaintCase);
      return { applied: true, complaintCase };
    });
  }

  async getComplaintCase(id: string): Promise<ComplaintCase | undefined> {
    return this.#cases.get(id);
  }

  async listComplaintCases(query: ComplaintCaseQuery): Promise<ComplaintCase[]> {
    return [...this.#cases.getRange()]
      .map(({ value }) => value)
      .filter((c) => (query.tenantId === undefined || c.tenantId === query.tenantId) && (query.status === undefined || c.status === query.status))
      .sort((a, b) => a.openedAt - b.openedAt);
  }

  async transitionComplaintCase(id: string, from: readonly ComplaintCaseStatus[], patch: Partial<ComplaintCase>): Promise<ComplaintCase | undefined> {
    return this.#root.transaction(() => {
      const existing = this.#cases.get(id);
      if (!existing || !from.includes(existing.status)) return undefined;
      const updated = { ...existing, ...patch, id, tenantId: existing.tenantId };
      void this.#cases.put(id, updated);
      return updated;
    });
  }

  async setWebhookEndpoint(tenantId: string, endpoint: WebhookEndpoint | undefined): Promise<void> {
    if (!endpoint) {
      await this.#endpoints.remove(tenantId);
      return;
    }
    const { secret, ...rest } = endpoint;
    await this.#endpoints.put(tenantId, { ...rest, tenantId, sealedSecret: this.#secrets.seal(secret, `webhook:${tenantId}`) });
  }

  #open(stored: StoredEndpoint): WebhookEndpoint {
    const { sealedSecret, ...rest } = stored;
    return { ...rest, secret: this.#secrets.open(sealedSecret, `webhook:${stored.tenantId}`) };
  }

  async getWebhookEndpoint(tenantId: string): Promise<WebhookEndpoint | undefined> {
    const stored = this.#endpoints.get(tenantId);
    return stored && this.#open(stored);
  }

  async listWebhookEndpoints(): Promise<WebhookEndpoint[]> {
    return [...this.#endpoints.getRange()].map(({ value }) => this.#open(value));
  }

  async enqueueWebhookEvents(events: readonly WebhookEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#root.transaction(() => {
      for (const event of events) void this.#outbox.put([event.tenantId, event.seq], event);
    });
  }

  async peekWebhookEvents(tenantId: string, limit: number): Promise<WebhookEvent[]> {
    return [...this.#outbox.getRange({ start: [tenantId, 0], end: [tenantId, Infinity], limit })].map(({ value }) => value);
  }

  async removeWebhookEvents(tenantId: string, seqs: readonly number[]): Promise<void> {
    await this.#root.transaction(() => {
      for (const seq of seqs) void this.#outbox.remove([tenantId, seq]);
    });
  }
}
