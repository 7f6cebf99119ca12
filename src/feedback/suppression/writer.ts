/**
 * The suppression writer: the outcome consumer that turns hard bounces, complaints and
 * unsubscribes into suppression entries (and repeated soft failures into expiring ones), plus
 * the operator's add/remove. Every entry that is actually written emits one Suppressed record.
 * Exports createSuppressionWriter → SuppressionWriter. An unsubscribe is lifted only by
 * removeByOperator with a note (an AdminAction record), never by sending again.
 */
import { parseDuration, type OutcomeRecord, type OutcomeType } from '../../domain/index.ts';
import { GLOBAL_SCOPE, type StateStore, type SuppressionEntry, type SuppressionReason } from '../../state/index.ts';
import { suppressionActions, utcDayNumber, type SuppressionAction } from './rules.ts';
import type { OutcomeConsumer } from './tail.ts';

export interface SuppressionSettings {
  readonly softBounceDays: number;
  readonly softBounceWindow: string;
  readonly softSuppressFor: string;
}

export interface SuppressionWriter extends OutcomeConsumer {
  /** Operator: suppress an address for a tenant (or GLOBAL_SCOPE). */
  addByOperator(scope: string, address: string, actor: string, note: string, expiresAt?: number): Promise<SuppressionEntry>;
  /** Operator: lift a suppression; the note is required and kept in an AdminAction record. */
  removeByOperator(scope: string, address: string, actor: string, note: string): Promise<SuppressionEntry | undefined>;
}

const TYPES: ReadonlySet<OutcomeType> = new Set(['Bounce', 'Expiration', 'Complaint', 'Unsubscribe']);

export function createSuppressionWriter(state: StateStore, settings: SuppressionSettings, now: () => number = Date.now): SuppressionWriter {
  const windowDays = Math.max(1, Math.round(parseDuration(settings.softBounceWindow) / 86_400_000));
  const softFor = parseDuration(settings.softSuppressFor);

  function suppressedRecord(entry: SuppressionEntry, messageId: string | undefined): OutcomeRecord {
    return {
      type: 'Suppressed', at: now(), recipient: entry.address, reason: entry.reason, scope: entry.scope, source: entry.source,
      ...(entry.scope !== GLOBAL_SCOPE && { tenantId: entry.scope }),
      ...(messageId !== undefined && { messageId }),
    };
  }

  async function write(scope: string, address: string, reason: SuppressionReason, source: string, extra: Partial<SuppressionEntry> = {}) {
    return state.addSuppression({ scope, address, reason, source, createdAt: now(), ...extra }, now());
  }

  async function apply(action: SuppressionAction, record: OutcomeRecord): Promise<SuppressionEntry | undefined> {
    if (action.kind === 'suppress') {
      const result = await write(action.tenantId, action.address, action.reason, action.source);
      return result.applied ? result.entry : undefined;
    }
    const days = await state.noteSoftBounce(action.tenantId, action.address, utcDayNumber(record.at), windowDays);
    if (days < settings.softBounceDays) return undefined;
    const note = `soft failures on ${days} days within ${windowDays} days`;
    const result = await write(action.tenantId, action.address, 'hard-bounce', action.source, { expiresAt: now() + softFor, note });
    return result.applied ? result.entry : undefined;
  }

  return {
    name: 'feedback.suppression',
    types: TYPES,
    async handle(records) {
      const emitted: OutcomeRecord[] = [];
      for (const record of records) {
        for (const action of suppressionActions(record)) {
          const entry = await apply(action, record);
          if (entry) emitted.push(suppressedRecord(entry, record.messageId));
        }
      }
      await state.appendOutcomes(emitted);
    },
    async addByOperator(scope, address, actor, note, expiresAt) {
      const result = await write(scope, address, 'manual', `admin:${actor}`, { note, ...(expiresAt !== undefined && { expiresAt }) });
      if (result.applied) await state.appendOutcomes([suppressedRecord(result.entry, undefined)]);
      return result.entry;
    },
    async removeByOperator(scope, address, actor, note) {
      const removed = await state.removeSuppression(scope, address, note);
      if (removed) {
        await state.appendOutcomes([{
          type: 'AdminAction', at: now(), actor, action: 'suppression.remove', target: `${scope}:${removed.address}`, reason: note,
          ...(scope !== GLOBAL_SCOPE && { tenantId: scope }),
        }]);
      }
      return removed;
    },
  };
}
