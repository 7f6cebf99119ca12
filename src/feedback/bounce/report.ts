/**
 * The parser's verdict for one inbound email (the `ferry bounce parse` contract):
 * `{bounce, feedback, recipients: [{address, status, hard, class, reason}]}`, plus details
 * kept in-process (diagnostic text, the format recognised, the feedback type). Exports the
 * types and toContract(), which keeps exactly the contract fields.
 */
import type { BounceClass } from './classes.ts';

export type BounceFormat = 'dsn' | 'plain' | 'arf' | 'feedback' | 'autoreply' | 'not-bounce';

export interface BounceRecipient {
  readonly address: string | null;
  /** RFC 3463 status; '' when none applies (complaints, auto-replies). */
  readonly status: string;
  readonly hard: boolean;
  readonly class: BounceClass | 'feedback' | 'not-bounce';
  readonly reason: string;
  /** The reply/diagnostic text the verdict was made from (not in the CLI contract). */
  readonly diagnostic?: string;
}

export interface BounceReport {
  readonly bounce: boolean;
  readonly feedback: boolean;
  readonly recipients: readonly BounceRecipient[];
  readonly format: BounceFormat;
  /** ARF Feedback-Type (abuse, opt-out, …) for complaints. */
  readonly feedbackType?: string;
}

export function toContract(report: BounceReport) {
  return {
    bounce: report.bounce,
    feedback: report.feedback,
    recipients: report.recipients.map((r) => ({ address: r.address, status: r.status, hard: r.hard, class: r.class, reason: r.reason })),
  };
}
