/**
 * The options of the feedback-loop commands (`suppression`, `case`, `webhook`) and of DKIM
 * rotation (`domain rotate|retire`): their node:util parseArgs spec, usage lines and typed view.
 * Exports FEEDBACK_OPTIONS, FEEDBACK_USAGE, feedbackOptionsFrom, FeedbackOptions. No imports,
 * so args.ts can compose it without a cycle. `--reason` (global) filters `suppression list`.
 */

export const FEEDBACK_OPTIONS = {
  note: { type: 'string' },
  contains: { type: 'string' },
  status: { type: 'string' },
  at: { type: 'string' },
  source: { type: 'string' },
  relationship: { type: 'string' },
  batch: { type: 'string' },
} as const;

export const FEEDBACK_USAGE = `Feedback commands (also through --api URL --token T):
  suppression list S [--reason R] [--contains X] [--after ADDR] [--limit N]
                                        active suppressions of S (a tenant, or "global"), paged by address
  suppression add S ADDRESS [--note N]  suppress an address (reason manual)
  suppression remove S ADDRESS --note N lift a suppression (the note is required and recorded)
  suppression export S                  every active suppression of S as CSV
  case list [--tenant T] [--status S]   complaint cases, newest first
  case show ID                          one complaint case
  case consent ID --at ISO-TIME --source S --relationship R    the tenant's proof of consent
  case review ID accept|reject --note N a reviewer's decision (reject suspends the tenant)
  webhook set T URL [--batch N]         the tenant's endpoint (N events per request); prints the secret once
  webhook show T | webhook remove T
  domain rotate DOMAIN                  new DKIM signing pair under new selectors; old pair stays published
  domain retire DOMAIN [SELECTOR...]    retire rotated keys (default: all); prints the records to delete
`;

export interface FeedbackOptions {
  readonly note: string | undefined;
  readonly contains: string | undefined;
  readonly status: string | undefined;
  readonly at: string | undefined;
  readonly source: string | undefined;
  readonly relationship: string | undefined;
  readonly batch: string | undefined;
}

type Values = Record<string, string | boolean | undefined>;

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export function feedbackOptionsFrom(values: Values): FeedbackOptions {
  return {
    note: text(values.note),
    contains: text(values.contains),
    status: text(values.status),
    at: text(values.at),
    source: text(values.source),
    relationship: text(values.relationship),
    batch: text(values.batch),
  };
}
