/**
 * Complaint cases: every Complaint record opens a case for its tenant (id `cc_<seq>`, so a
 * repeated consumer run opens it once) with proof of consent due after the deadline (48 h by
 * default). The tenant submits proof (date/time, source, relationship); a reviewer accepts or
 * rejects it. An unanswered case past its deadline, or a rejected one, suspends the tenant
 * automatically with an AdminAction record. Exports createComplaintCases → ComplaintCases.
 * Transitions are compare-and-set in the store, so a late proof and the deadline sweep never both win.
 */
import { ErrorCodes, FerryError, type OutcomeRecord, type OutcomeType } from '../../domain/index.ts';
import type { ComplaintCase, ConsentProof, StateStore } from '../../state/index.ts';
import type { OutcomeConsumer } from '../suppression/index.ts';

export interface ComplaintCases extends OutcomeConsumer {
  /** Expires open cases past their deadline and suspends their tenants; returns the expired cases. */
  sweep(): Promise<ComplaintCase[]>;
  submitConsent(caseId: string, tenantId: string, proof: Omit<ConsentProof, 'submittedAt'>): Promise<ComplaintCase>;
  review(caseId: string, accepted: boolean, reviewer: string, note: string): Promise<ComplaintCase>;
}

const TYPES: ReadonlySet<OutcomeType> = new Set(['Complaint']);

export function createComplaintCases(state: StateStore, deadlineMs: number, now: () => number = Date.now): ComplaintCases {
  async function suspend(complaintCase: ComplaintCase, why: string): Promise<void> {
    const reason = `complaint case ${complaintCase.id}: ${why}`;
    await state.setTenantStatus(complaintCase.tenantId, 'suspended', reason);
    const record: OutcomeRecord = { type: 'AdminAction', at: now(), tenantId: complaintCase.tenantId, actor: 'feedback.complaints', action: 'tenant.suspend', target: complaintCase.tenantId, reason };
    await state.appendOutcomes([record]);
  }

  async function mustGet(caseId: string, tenantId?: string): Promise<ComplaintCase> {
    const found = await state.getComplaintCase(caseId);
    if (!found || (tenantId !== undefined && found.tenantId !== tenantId)) throw new FerryError(ErrorCodes.NOT_FOUND, `no complaint case ${caseId}`);
    return found;
  }

  return {
    name: 'feedback.complaints',
    types: TYPES,
    async handle(records) {
      for (const record of records) {
        if (record.type !== 'Complaint' || record.tenantId === undefined) continue;
        const openedAt = record.at;
        await state.openComplaintCase({
          id: `cc_${record.seq ?? 0}`, tenantId: record.tenantId, recipient: record.recipient, openedAt, dueAt: openedAt + deadlineMs, status: 'open',
          ...(record.messageId !== undefined && { messageId: record.messageId }),
        });
      }
    },
    async sweep() {
      const expired: ComplaintCase[] = [];
      for (const open of await state.listComplaintCases({ status: 'open' })) {
        if (open.dueAt > now()) continue;
        const moved = await state.transitionComplaintCase(open.id, ['open'], { status: 'expired', closedAt: now(), decisionNote: 'no proof of consent by the deadline' });
        if (!moved) continue;
        await suspend(moved, 'no proof of consent within the deadline');
        expired.push(moved);
      }
      return expired;
    },
    async submitConsent(caseId, tenantId, proof) {
      const current = await mustGet(caseId, tenantId);
      if (!proof.source.trim() || !proof.relationship.trim() || !Number.isFinite(proof.consentedAt)) {
        throw new FerryError(ErrorCodes.INVALID_INPUT, 'proof of consent needs consentedAt, source and relationship');
      }
      const moved = await state.transitionComplaintCase(caseId, ['open'], { status: 'consent-submitted', consent: { ...proof, submittedAt: now() } });
      if (!moved) throw new FerryError(ErrorCodes.STATE_CONFLICT, `complaint case ${caseId} is ${current.status}, not open`);
      return moved;
    },
    async review(caseId, accepted, reviewer, note) {
      await mustGet(caseId);
      const patch = { status: accepted ? 'accepted' : 'rejected', closedAt: now(), decisionNote: `${reviewer}: ${note}` } as const;
      const moved = await state.transitionComplaintCase(caseId, ['consent-submitted'], patch);
      if (!moved) throw new FerryError(ErrorCodes.STATE_CONFLICT, `complaint case ${caseId} has no proof awaiting review`);
      if (!accepted) await suspend(moved, `proof of consent rejected (${note})`);
      return moved;
    },
  };
}
