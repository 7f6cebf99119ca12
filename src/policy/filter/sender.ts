/**
 * Per-sender identity inside a tenant: the authenticated API key id (from the session) and, when
 * the tenant sets one, the `X-Ferry-Sender` header. A blocked sender is refused (550 5.7.1,
 * category `blocked-sender`) while the tenant's other keys keep sending. Blocks come from config
 * (`filter.tenants.<id>.blockedSenders`) and from AdminAction records `sender.block` /
 * `sender.unblock` (written by blockSender, e.g. `ferry policy block-sender`), read incrementally
 * (one cursor over every tenant's AdminAction records) and refreshed every `refreshMs`, so a
 * block needs no restart and holds cluster-wide.
 * Exports senderCheck, senderIdentities, SenderBlocks, blockSender.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import type { ContentCheck, Envelope, FilterPolicy, Finding, MessageView } from './types.ts';

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

export class SenderBlocks {
  readonly #state: StateStore;
  readonly #refreshMs: number;
  /** tenantId → its blocked identities, from every AdminAction record read so far. */
  readonly #blocked = new Map<string, Set<string>>();
  #cursor = 0;
  #readAt = -Infinity;
  #pending: Promise<void> | undefined;

  constructor(state: StateStore, refreshMs: number) {
    this.#state = state;
    this.#refreshMs = refreshMs;
  }

  /** The tenant's blocked identities: at once while the last read is fresh, else after reading the new records. */
  blocked(tenantId: string): ReadonlySet<string> | Promise<ReadonlySet<string>> {
    if (Date.now() - this.#readAt < this.#refreshMs) return this.#blocked.get(tenantId) ?? NONE;
    this.#pending ??= this.#read().finally(() => (this.#pending = undefined));
    return this.#pending.then(() => this.#blocked.get(tenantId) ?? NONE);
  }

  /** The new AdminAction records of every tenant, through the store's type index: one cursor for all tenants. */
  async #read(): Promise<void> {
    for (;;) {
      const batch = await this.#state.readOutcomes({ types: ['AdminAction'], afterSeq: this.#cursor, limit: 1_000 });
      for (const record of batch) {
        this.#cursor = Math.max(this.#cursor, record.seq ?? this.#cursor);
        if (record.type !== 'AdminAction' || record.tenantId === undefined) continue;
        const blocked = this.#blocked.get(record.tenantId) ?? new Set<string>();
        this.#blocked.set(record.tenantId, blocked);
        if (record.action === SENDER_BLOCK) blocked.add(record.target);
        if (record.action === SENDER_UNBLOCK) blocked.delete(record.target);
      }
      if (batch.length < 1_000) break;
    }
    this.#readAt = Date.now();
  }
}

const NONE: ReadonlySet<string> = new Set<string>();

function judge(view: MessageView, envelope: Envelope, policy: FilterPolicy, recorded: ReadonlySet<string>): Finding {
  const blocked = senderIdentities(view, envelope).find((id) => policy.blockedSenders.has(id) || recorded.has(id));
  if (!blocked) return { code: 'none', score: 0, positive: false };
  return { code: 'sender.blocked', score: 100, positive: true, action: 'refuse', detail: `sending identity ${blocked} is blocked for this tenant` };
}

export function senderCheck(blocks?: SenderBlocks): ContentCheck {
  return {
    name: 'sender',
    category: 'blocked-sender',
    // Synchronous while the last read is fresh: the gate then times nothing for it.
    check(view, envelope, policy) {
      const recorded = blocks ? blocks.blocked(envelope.tenantId) : NONE;
      if (recorded instanceof Promise) return recorded.then((set) => judge(view, envelope, policy, set));
      return judge(view, envelope, policy, recorded);
    },
  };
}
