/**
 * Per-sender identity inside a tenant: the authenticated API key id (from the session) and, when
 * the tenant sets one, the `X-Ferry-Sender` header. A blocked sender is refused (550 5.7.1,
 * category `blocked-sender`) while the tenant's other keys keep sending. Blocks come from config
 * (`filter.tenants.<id>.blockedSenders`) and from AdminAction records `sender.block` /
 * `sender.unblock` (written by blockSender, e.g. `ferry policy block-sender`), read incrementally
 * per tenant and refreshed every `refreshMs`, so a block needs no restart and holds cluster-wide.
 * Exports senderCheck, senderIdentities, SenderBlocks, blockSender.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import type { ContentCheck, Envelope, MessageView } from './types.ts';

export const SENDER_BLOCK = 'sender.block';
export const SENDER_UNBLOCK = 'sender.unblock';

/** Every identity the message claims: the session's key id first, then the tenant's header. */
export function senderIdentities(view: MessageView, envelope: Envelope): string[] {
  const header = view.headers.get('x-ferry-sender')?.trim();
  return [envelope.sender, header].filter((id): id is string => id !== undefined && id !== '');
}

/** Blocks one sending identity of a tenant: one AdminAction record (the record is the block). */
export async function blockSender(state: StateStore, block: { tenantId: string; sender: string; actor: string; reason?: string; unblock?: boolean }): Promise<void> {
  const record: OutcomeRecord = {
    type: 'AdminAction',
    at: Date.now(),
    tenantId: block.tenantId,
    actor: block.actor,
    action: block.unblock ? SENDER_UNBLOCK : SENDER_BLOCK,
    target: block.sender,
    ...(block.reason ? { reason: block.reason } : {}),
  };
  await state.appendOutcomes([record]);
}

interface TenantBlocks {
  cursor: number;
  readAt: number;
  readonly blocked: Set<string>;
  pending?: Promise<void>;
}

export class SenderBlocks {
  readonly #state: StateStore;
  readonly #refreshMs: number;
  readonly #tenants = new Map<string, TenantBlocks>();

  constructor(state: StateStore, refreshMs: number) {
    this.#state = state;
    this.#refreshMs = refreshMs;
  }

  async blocked(tenantId: string): Promise<ReadonlySet<string>> {
    const entry = this.#tenants.get(tenantId) ?? { cursor: 0, readAt: -Infinity, blocked: new Set<string>() };
    this.#tenants.set(tenantId, entry);
    if (Date.now() - entry.readAt < this.#refreshMs) return entry.blocked;
    entry.pending ??= this.#read(tenantId, entry).finally(() => (entry.pending = undefined));
    await entry.pending;
    return entry.blocked;
  }

  async #read(tenantId: string, entry: TenantBlocks): Promise<void> {
    for (;;) {
      // Only the tenant's AdminAction records: the store's type index skips everything else.
      const batch = await this.#state.readOutcomes({ tenantId, types: ['AdminAction'], afterSeq: entry.cursor, limit: 1_000 });
      for (const record of batch) {
        entry.cursor = Math.max(entry.cursor, record.seq ?? entry.cursor);
        if (record.type !== 'AdminAction') continue;
        if (record.action === SENDER_BLOCK) entry.blocked.add(record.target);
        if (record.action === SENDER_UNBLOCK) entry.blocked.delete(record.target);
      }
      if (batch.length < 1_000) break;
    }
    entry.readAt = Date.now();
  }
}

export function senderCheck(blocks?: SenderBlocks): ContentCheck {
  return {
    name: 'sender',
    category: 'blocked-sender',
    async check(view, envelope, policy) {
      const recorded = blocks ? await blocks.blocked(envelope.tenantId) : new Set<string>();
      const blocked = senderIdentities(view, envelope).find((id) => policy.blockedSenders.has(id) || recorded.has(id));
      if (!blocked) return { code: 'none', score: 0, positive: false };
      return { code: 'sender.blocked', score: 100, positive: true, action: 'refuse', detail: `sending identity ${blocked} is blocked for this tenant` };
    },
  };
}
