/**
 * The suppression gate at RCPT TO (ARCHITECTURE.md §1.3, §4): a recipient on the tenant's or the
 * global suppression list is refused with `550 5.7.1` naming the reason class (unsubscribed,
 * complained, bounced, suppressed). Exports suppressionCheck and reasonClass. Reads the state
 * store only; the lists are written by the feedback stage from outcome records.
 */
import { ACCEPT, refuse, type Verdict } from '../domain/index.ts';
import type { StateStore, SuppressionReason } from '../state/index.ts';
import type { IngressCheck, RcptContext } from './types.ts';

const REASON_CLASS: Readonly<Record<SuppressionReason, string>> = {
  unsubscribe: 'unsubscribed',
  complaint: 'complained',
  'hard-bounce': 'bounced',
  manual: 'suppressed',
};

/** The word a refusal quotes for a suppression reason. */
export function reasonClass(reason: SuppressionReason): string {
  return REASON_CLASS[reason];
}

export function suppressionCheck(state: StateStore, clock: () => number = Date.now): IngressCheck<RcptContext> {
  return {
    name: 'suppression',
    async check({ tenantId, recipient }): Promise<Verdict> {
      const entry = await state.findSuppression(tenantId, recipient, clock());
      if (!entry) return ACCEPT;
      const scope = entry.scope === tenantId ? 'for this account' : 'on the global list';
      return refuse('recipient.suppressed', `Recipient is suppressed ${scope} (${reasonClass(entry.reason)})`);
    },
  };
}
