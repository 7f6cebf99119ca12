/**
 * The bulk-without-unsubscribe check (MISSION.md: bulk mail must carry List-Unsubscribe with
 * RFC 8058 one-click). Mail is bulk when its stream is (classifyStream in src/domain/stream.ts:
 * `X-Ferry-Stream: bulk|marketing`, Precedence bulk/list/junk, List-Id), when one transaction has
 * many recipients, or when the same content was seen `repeats` times in `window` for this tenant
 * (RepeatCounter: per node, in memory, bounded). Bulk without List-Unsubscribe that delivery will
 * give Ferry's one-click header (the same injectsOneClick rule) passes as
 * `bulk.unsubscribe-injected`. Exports bulkCheck and RepeatCounter.
 */
import { createHash } from 'node:crypto';
import { classifyStream, injectsOneClick, type OneClickPolicy, type StreamClass } from '../../domain/index.ts';
import type { ContentCheck, Envelope, Finding, FilterPolicy, MessageView } from './types.ts';

/** Distinct contents remembered at most; the oldest are forgotten first. */
const MAX_TRACKED = 100_000;

export class RepeatCounter {
  readonly #seen = new Map<string, { count: number; since: number }>();
  readonly #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  /** Counts one more sighting of `key` and returns the count within the window. */
  hit(key: string, windowMs: number): number {
    const now = this.#clock();
    const entry = this.#seen.get(key);
    if (entry && now - entry.since < windowMs) {
      entry.count++;
      return entry.count;
    }
    this.#seen.delete(key);
    if (this.#seen.size >= MAX_TRACKED) {
      const oldest = this.#seen.keys().next();
      if (!oldest.done) this.#seen.delete(oldest.value);
    }
    this.#seen.set(key, { count: 1, since: now });
    return 1;
  }
}

/**
 * Personalisation (names, numbers, links with tokens) should not make copies look distinct. The
 * view's words are already normalised (terms.ts): joined, they are the normalised text, with no
 * second pass over the body. The key is only compared within this process (RepeatCounter).
 */
function contentKey(tenantId: string, view: MessageView): string {
  const shape = `${view.subjectWords.join(' ')}\n${view.textWords.join(' ')}`.replace(/\d+/g, '#');
  return `${tenantId}:${createHash('sha256').update(shape).digest('base64url').slice(0, 22)}`;
}

function bulkReasons(view: MessageView, envelope: Envelope, policy: FilterPolicy, repeats: RepeatCounter, stream: StreamClass): string[] {
  const reasons = [...stream.reasons];
  if (envelope.recipients.length >= policy.bulk.recipients) reasons.push(`${envelope.recipients.length} recipients in one transaction`);
  if (stream.stream !== 'transactional' && policy.bulk.repeats > 0) {
    const seen = repeats.hit(contentKey(envelope.tenantId, view), policy.bulk.windowMs);
    if (seen >= policy.bulk.repeats) reasons.push(`same content ${seen} times within the window`);
  }
  return reasons;
}

/**
 * `injection`: the `feedback.unsubscribe` settings (absent → Ferry injects nothing: the bench and
 * the corpus test build the gate without them).
 */
export function bulkCheck(repeats: RepeatCounter, injection?: OneClickPolicy): ContentCheck {
  return {
    name: 'bulk',
    category: 'bulk-without-unsubscribe',
    check(view, envelope, policy): Finding {
      const stream = classifyStream((name) => view.headers.get(name));
      const reasons = bulkReasons(view, envelope, policy, repeats, stream);
      if (reasons.length === 0) return { code: 'none', score: 0, positive: false };
      const unsubscribe = view.headers.get('list-unsubscribe');
      if (unsubscribe === undefined && injection && injectsOneClick(injection, envelope.tenantId, stream.stream, false)) {
        return { code: 'bulk.unsubscribe-injected', score: 0, positive: false, detail: `bulk (${reasons.join('; ')}): Ferry adds its one-click List-Unsubscribe at delivery` };
      }
      if (!unsubscribe) return { code: 'bulk.no-unsubscribe', score: 10, positive: true, detail: `bulk (${reasons.join('; ')}) without List-Unsubscribe` };
      const oneClick = /one-click/i.test(view.headers.get('list-unsubscribe-post') ?? '') && /<https:/i.test(unsubscribe);
      if (!oneClick) return { code: 'bulk.no-one-click', score: 5, positive: false, detail: `bulk (${reasons.join('; ')}) with List-Unsubscribe but no RFC 8058 one-click` };
      return { code: 'bulk.unsubscribe-ok', score: 0, positive: false, detail: `bulk (${reasons.join('; ')}) with one-click List-Unsubscribe` };
    },
  };
}
