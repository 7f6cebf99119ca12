/**
 * Complaints: RFC 5965 ARF reports (multipart/report; report-type=feedback-report) and the
 * common non-ARF feedback forms (Microsoft JMRP/SNDS `X-HmXmrOriginalRecipient`, Apple Mail's
 * `X-Apple-Unsubscribe` opt-out). Exports parseFeedback(root) → BounceReport | undefined.
 * The complained-about recipient comes from the report, else the returned original's To.
 */
import { addressesInHeader, cleanAddress, findAddresses } from './addresses.ts';
import { header, type MimePart } from './mime.ts';
import type { BounceRecipient, BounceReport } from './report.ts';
import { allParts, ownParts } from './text.ts';

function feedbackFields(text: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!.toLowerCase(), [...(fields.get(m[1]!.toLowerCase()) ?? []), m[2]!.trim()]);
  }
  return fields;
}

function complaint(address: string | null, type: string): BounceRecipient {
  return { address, status: '', hard: false, class: 'feedback', reason: type === 'opt-out' || type === 'unsubscribe' ? 'opt-out' : 'feedback' };
}

function originalRecipients(root: MimePart): string[] {
  const originals = allParts(root).filter((p) => p !== root && p.headers.some(([n]) => n === 'to' || n === 'x-hmxmroriginalrecipient'));
  for (const original of originals) {
    const hm = header(original, 'x-hmxmroriginalrecipient');
    if (hm) return addressesInHeader(hm);
    const to = addressesInHeader(header(original, 'to'));
    if (to.length > 0) return to;
  }
  return [];
}

function report(recipients: readonly BounceRecipient[], feedbackType: string): BounceReport {
  return { bounce: false, feedback: true, recipients, format: 'arf', feedbackType };
}

export function parseFeedback(root: MimePart): BounceReport | undefined {
  const parts = ownParts(root);
  const arf = parts.find((p) => p.contentType === 'message/feedback-report');
  if (arf || (root.contentType === 'multipart/report' && /feedback-report/i.test(root.params['report-type'] ?? ''))) {
    const fields = feedbackFields(arf?.text ?? '');
    const type = (fields.get('feedback-type')?.[0] ?? 'abuse').toLowerCase();
    const named = (fields.get('original-rcpt-to') ?? fields.get('removal-recipient') ?? [])
      .map((v) => cleanAddress(v) ?? findAddresses(v)[0]).filter((a): a is string => a !== undefined);
    const addresses = named.length > 0 ? named : originalRecipients(root);
    return report((addresses.length > 0 ? [...new Set(addresses)] : [null]).map((a) => complaint(a, type)), type);
  }
  const jmrp = allParts(root).find((p) => p !== root && header(p, 'x-hmxmroriginalrecipient'));
  if (jmrp) return report(originalRecipients(root).map((a) => complaint(a, 'abuse')), 'abuse');
  if (/^true$/i.test(header(root, 'x-apple-unsubscribe') ?? '')) {
    return report(addressesInHeader(header(root, 'from')).slice(0, 1).map((a) => complaint(a, 'opt-out')), 'opt-out');
  }
  return undefined;
}
