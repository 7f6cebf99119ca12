/**
 * The inbound-email parser: one raw email → BounceReport. Order: ARF / feedback report →
 * RFC 3464 delivery-status report → auto-reply → non-standard bounce text → not a bounce.
 * Exports parseBounce(raw, options). Pure and synchronous; reads at most limits.maxBytes of the
 * message (bounce facts sit at the top; a huge returned original is cut, not buffered twice).
 */
import { classifyReply, type BounceVerdict } from './classify.ts';
import { parseDeliveryStatus, type DsnRecipient } from './dsn.ts';
import { parseFeedback } from './arf.ts';
import { parseSesNotification } from './ses.ts';
import { detectAutoreply } from './autoreply.ts';
import { looksLikeBounce, plainRecipients } from './plain.ts';
import { DEFAULT_MIME_LIMITS, readMessage, type MimeLimits, type MimePart } from './mime.ts';
import { defaultBounceRules, type BounceRule } from './rules.ts';
import { fullNotificationText, notificationText, ownParts, snippetFor } from './text.ts';
import type { BounceRecipient, BounceReport } from './report.ts';

export interface ParseOptions {
  readonly rules?: readonly BounceRule[];
  readonly limits?: MimeLimits;
}

const NOT_A_BOUNCE: BounceReport = { bounce: false, feedback: false, recipients: [], format: 'not-bounce' };

function toRecipient(address: string, verdict: BounceVerdict, diagnostic: string): BounceRecipient {
  return { address, status: verdict.status, hard: verdict.hard, class: verdict.class, reason: verdict.reason, diagnostic };
}

/** Classify from the DSN's own diagnostic; if no rule speaks to it, add the human text about the recipient. */
function classifyDsnRecipient(dsn: DsnRecipient, snippet: string, rules: readonly BounceRule[]): BounceRecipient {
  const base = { enhanced: dsn.status, action: dsn.action, context: snippet };
  const first = classifyReply({ ...base, text: dsn.diagnostic ?? '' }, rules);
  if (first.source === 'rule' || (first.source === 'status' && first.class !== 'other')) {
    return toRecipient(dsn.address ?? '', first, dsn.diagnostic ?? '');
  }
  const text = `${dsn.diagnostic ?? ''}\n${snippet}`;
  const second = classifyReply({ ...base, text }, rules);
  return toRecipient(dsn.address ?? '', second.source === 'rule' || first.source === 'default' ? second : first, text);
}

const DONE = /^(delivered|relayed|expanded|deliverable)/;

function fromDeliveryStatus(statusPart: MimePart, text: string, rules: readonly BounceRule[]): BounceReport | undefined {
  const entries = parseDeliveryStatus(statusPart.text).filter((r) => r.address !== undefined);
  if (entries.length === 0) return undefined;
  const failed = entries.filter((r) => !DONE.test(r.action ?? '') && !r.status?.startsWith('2'));
  if (failed.length === 0) {
    const recipients = entries.map((r) => ({ address: r.address ?? null, status: r.status ?? '2.0.0', hard: false, class: 'not-bounce' as const, reason: 'delivered' }));
    return { bounce: false, feedback: false, recipients, format: 'not-bounce' };
  }
  const addresses = failed.map((r) => r.address ?? '');
  const recipients = failed.map((r) => {
    const snippet = snippetFor(text, r.address ?? '', addresses) || (failed.length === 1 ? text : '');
    return classifyDsnRecipient(r, snippet, rules);
  });
  return { bounce: true, feedback: false, recipients, format: 'dsn' };
}

function fromPlainText(root: MimePart, text: string, rules: readonly BounceRule[]): BounceReport {
  const recipients = plainRecipients(root, text, fullNotificationText(root)).map(({ address, diagnostic }) =>
    toRecipient(address, classifyReply({ text: diagnostic }, rules), diagnostic));
  return { bounce: true, feedback: false, recipients, format: 'plain' };
}

function fromSes(text: string, rules: readonly BounceRule[]): BounceReport | undefined {
  const ses = parseSesNotification(text);
  if (!ses) return undefined;
  if (ses.kind === 'complaint') {
    const recipients = ses.recipients.map((r) => ({ address: r.address, status: '', hard: false, class: 'feedback' as const, reason: 'feedback' }));
    return { bounce: false, feedback: true, recipients, format: 'feedback', feedbackType: ses.feedbackType };
  }
  const recipients = ses.recipients.map((r) =>
    toRecipient(r.address, classifyReply({ enhanced: r.status, text: r.diagnostic, action: r.permanent ? 'failed' : 'delayed' }, rules), r.diagnostic));
  return { bounce: true, feedback: false, recipients, format: 'plain' };
}

export function parseBounce(raw: Buffer | string, options: ParseOptions = {}): BounceReport {
  const rules = options.rules ?? defaultBounceRules();
  const root = readMessage(raw, options.limits ?? DEFAULT_MIME_LIMITS);
  const feedback = parseFeedback(root);
  if (feedback) return feedback;
  const text = notificationText(root);
  const statusPart = ownParts(root).find((p) => /^message\/(global-)?delivery-status$/.test(p.contentType));
  const dsn = statusPart ? fromDeliveryStatus(statusPart, text, rules) : undefined;
  if (dsn) return dsn;
  const ses = fromSes(text, rules);
  if (ses) return ses;
  const autoreply = detectAutoreply(root);
  if (autoreply) return autoreply;
  if (!statusPart && !looksLikeBounce(root, text)) return NOT_A_BOUNCE;
  return fromPlainText(root, text, rules);
}
