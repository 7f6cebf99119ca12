/**
 * The inbound-email parser: one raw email → BounceReport. Order: ARF / feedback report →
 * RFC 3464 delivery-status report → auto-reply → non-standard bounce text → not a bounce; then
 * the reporting product's reading of each verdict (config/bounce-products.yaml).
 * Exports parseBounce(raw, options). Pure and synchronous; reads at most limits.maxBytes of the
 * message (bounce facts sit at the top; a huge returned original is cut, not buffered twice).
 */
import { classifyReply, type BounceVerdict, type ReplyInput } from './classify.ts';
import { parseDeliveryStatus, type DsnRecipient } from './dsn.ts';
import { parseFeedback } from './arf.ts';
import { parseSesNotification } from './ses.ts';
import { detectAutoreply } from './autoreply.ts';
import { looksLikeBounce, plainRecipients } from './plain.ts';
import { DEFAULT_MIME_LIMITS, readMessage, type MimeLimits, type MimePart } from './mime.ts';
import { defaultBounceRules, type BounceRule } from './rules.ts';
import { defaultBounceProducts, detectProduct, reinterpret, type BounceProduct } from './products.ts';
import { fullNotificationText, notificationText, ownParts, snippetFor } from './text.ts';
import type { BounceRecipient, BounceReport } from './report.ts';

export interface ParseOptions {
  readonly rules?: readonly BounceRule[];
  readonly products?: readonly BounceProduct[];
  readonly limits?: MimeLimits;
}

/** classifyReply bound to the rules and the reporting product's context. */
type Classify = (input: ReplyInput) => BounceVerdict;

const NOT_A_BOUNCE: BounceReport = { bounce: false, feedback: false, recipients: [], format: 'not-bounce' };

function toRecipient(address: string, verdict: BounceVerdict, diagnostic: string): BounceRecipient {
  return { address, status: verdict.status, hard: verdict.hard, class: verdict.class, reason: verdict.reason, diagnostic };
}

/**
 * Classify from the DSN's own diagnostic; if no rule speaks to it, add the human text about the
 * recipient. An `X-Unix` diagnostic is a local delivery program's exit code (sysexits): the
 * program failed, whatever the transcript around it says — a mailer error unless a rule speaks.
 */
function classifyDsnRecipient(dsn: DsnRecipient, snippet: string, classify: Classify): BounceRecipient {
  const base = { enhanced: dsn.status, action: dsn.action, context: snippet };
  const first = classify({ ...base, text: dsn.diagnostic ?? '' });
  if (dsn.diagnosticType === 'x-unix' && first.source !== 'rule') {
    return toRecipient(dsn.address ?? '', { ...first, class: 'other', reason: 'mailer-error', hard: false }, dsn.diagnostic ?? '');
  }
  if (first.source === 'rule' || (first.source === 'status' && first.class !== 'other')) {
    return toRecipient(dsn.address ?? '', first, dsn.diagnostic ?? '');
  }
  const text = `${dsn.diagnostic ?? ''}\n${snippet}`;
  const second = classify({ ...base, text });
  return toRecipient(dsn.address ?? '', second.source === 'rule' || first.source === 'default' ? second : first, text);
}

const DONE = /^(delivered|relayed|expanded|deliverable)/;
const INLINE_DSN = /^(?=[\s\S]*^\s*Final-Recipient:\s*rfc822;)(?=[\s\S]*^\s*Action:\s*(failed|delayed)\b)/im;

function fromDeliveryStatus(statusText: string, text: string, classify: Classify): BounceReport | undefined {
  const entries = parseDeliveryStatus(statusText).filter((r) => r.address !== undefined);
  if (entries.length === 0) return undefined;
  const failed = entries.filter((r) => !DONE.test(r.action ?? '') && !r.status?.startsWith('2'));
  if (failed.length === 0) {
    const recipients = entries.map((r) => ({ address: r.address ?? null, status: r.status ?? '2.0.0', hard: false, class: 'not-bounce' as const, reason: 'delivered' }));
    return { bounce: false, feedback: false, recipients, format: 'not-bounce' };
  }
  const addresses = failed.map((r) => r.address ?? '');
  const recipients = failed.map((r) => {
    const snippet = snippetFor(text, r.address ?? '', addresses) || (failed.length === 1 ? text : '');
    return classifyDsnRecipient(r, snippet, classify);
  });
  return { bounce: true, feedback: false, recipients, format: 'dsn' };
}

function fromPlainText(root: MimePart, text: string, classify: Classify): BounceReport {
  const recipients = plainRecipients(root, text, fullNotificationText(root)).map(({ address, diagnostic }) =>
    toRecipient(address, classify({ text: diagnostic }), diagnostic));
  return { bounce: true, feedback: false, recipients, format: 'plain' };
}

function fromSes(text: string, classify: Classify): BounceReport | undefined {
  const ses = parseSesNotification(text);
  if (!ses) return undefined;
  if (ses.kind === 'complaint') {
    const recipients = ses.recipients.map((r) => ({ address: r.address, status: '', hard: false, class: 'feedback' as const, reason: 'feedback' }));
    return { bounce: false, feedback: true, recipients, format: 'feedback', feedbackType: ses.feedbackType };
  }
  const recipients = ses.recipients.map((r) =>
    toRecipient(r.address, classify({ enhanced: r.status, text: r.diagnostic, action: r.permanent ? 'failed' : 'delayed' }), r.diagnostic));
  return { bounce: true, feedback: false, recipients, format: 'plain' };
}

/** The reporting product's reading of each recipient's verdict (the status stays as reported). */
function inProductContext(report: BounceReport, product: BounceProduct | undefined): BounceReport {
  if (!product || !report.bounce) return report;
  const recipients = report.recipients.map((r) => {
    const reading = reinterpret(product, r.reason);
    if (!reading) return r;
    const hard = reading.hard ?? (reading.class === 'user-unknown' || (reading.class === 'domain-unknown' && r.status.startsWith('5')));
    return { ...r, class: reading.class, reason: reading.reason, hard };
  });
  return { ...report, recipients };
}

function parseFailure(root: MimePart, text: string, classify: Classify, knownBounce: boolean): BounceReport {
  const statusPart = ownParts(root).find((p) => /^message\/(global-)?delivery-status$/.test(p.contentType));
  const dsn = statusPart ? fromDeliveryStatus(statusPart.text, text, classify) : undefined;
  if (dsn) return dsn;
  // Delivery-status fields pasted into the text (a "Technical report:" section, a report whose
  // MIME delimiters were lost): read them as a DSN when they say what failed.
  const inline = !statusPart && INLINE_DSN.test(text) ? fromDeliveryStatus(text, text, classify) : undefined;
  if (inline?.bounce) return inline;
  const ses = fromSes(text, classify);
  if (ses) return ses;
  const autoreply = detectAutoreply(root);
  if (autoreply) return autoreply;
  if (!statusPart && !knownBounce && !looksLikeBounce(root, text)) return NOT_A_BOUNCE;
  return fromPlainText(root, text, classify);
}

export function parseBounce(raw: Buffer | string, options: ParseOptions = {}): BounceReport {
  const rules = options.rules ?? defaultBounceRules();
  const root = readMessage(raw, options.limits ?? DEFAULT_MIME_LIMITS);
  const feedback = parseFeedback(root);
  if (feedback) return feedback;
  const text = notificationText(root);
  const product = detectProduct(options.products ?? defaultBounceProducts(), root, text);
  const unknownUserNeedsEvidence = product?.unknownUserNeedsEvidence === true;
  const classify: Classify = (input) => classifyReply({ ...input, unknownUserNeedsEvidence }, rules);
  return inProductContext(parseFailure(root, text, classify, product?.alwaysBounce === true), product);
}
