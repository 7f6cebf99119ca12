/**
 * What an outcome record means for suppression, pure: hard Bounce → `hard-bounce` (permanent),
 * Complaint → `complaint`, Unsubscribe → `unsubscribe`, soft Bounce / Expiration → a soft
 * failure to tally (suppressed only after failures on several distinct days). Exports
 * suppressionActions and utcDayNumber. Scope is always the record's tenant; the global list is
 * written only by operators.
 */
import type { OutcomeRecord } from '../../domain/index.ts';
import type { SuppressionReason } from '../../state/index.ts';

export type SuppressionAction =
  | { readonly kind: 'suppress'; readonly tenantId: string; readonly address: string; readonly reason: SuppressionReason; readonly source: string }
  | { readonly kind: 'soft-failure'; readonly tenantId: string; readonly address: string; readonly source: string };

/** Classes that name a bad address when the record carries no `hard` flag (records older than classification). */
const HARD_CLASSES = new Set(['user-unknown']);

export function utcDayNumber(at: number): number {
  return Math.floor(at / 86_400_000);
}

export function suppressionActions(record: OutcomeRecord): SuppressionAction[] {
  const tenantId = record.tenantId;
  if (tenantId === undefined) return [];
  const source = `outcome:${record.seq ?? 0}`;
  const suppress = (address: string, reason: SuppressionReason): SuppressionAction => ({ kind: 'suppress', tenantId, address, reason, source });
  switch (record.type) {
    case 'Bounce': {
      const hard = record.hard ?? (record.bounceClass !== undefined && HARD_CLASSES.has(record.bounceClass));
      return record.recipients.map((address) => (hard ? suppress(address, 'hard-bounce') : { kind: 'soft-failure', tenantId, address, source }));
    }
    case 'Expiration':
      return record.recipients.map((address) => ({ kind: 'soft-failure', tenantId, address, source }));
    case 'Complaint':
      return [suppress(record.recipient, 'complaint')];
    case 'Unsubscribe':
      return [suppress(record.recipient, 'unsubscribe')];
    default:
      return [];
  }
}
