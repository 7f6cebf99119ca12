/**
 * Auto-replies (RFC 3834: vacation, out-of-office, challenge-response) are NOT bounces: the
 * address works, a person is away. Exports detectAutoreply(root) → BounceReport | undefined.
 * Only called once the message is known not to carry a delivery-status report.
 */
import { addressesInHeader, isSystemAddress } from './addresses.ts';
import { header, type MimePart } from './mime.ts';
import type { BounceReport } from './report.ts';

const AUTOREPLY_SUBJECT = new RegExp([
  '^\\s*(auto(matic|matische)?[ -]?(reply|response|answer|antwort|svar|respuesta)|auto:|autoreply|autoresponse)',
  '\\bout of (the )?office\\b', '^\\s*(vacation|on vacation|away from)', 'abwesenheit', 'r[ée]ponse automatique',
  'absence', 'respuesta autom[áa]tica', 'risposta automatica', '自動応答', '不在', 'please confirm your (e-?mail|message)',
  'challenge', 'verify your (e-?mail|message)',
].join('|'), 'iu');

function hasAutoreplyHeaders(root: MimePart): boolean {
  if (header(root, 'x-autoreply') || header(root, 'x-autorespond') || header(root, 'x-autoresponder')) return true;
  if (/vacation|auto.?reply/i.test(header(root, 'x-apple-action') ?? '')) return true;
  if (/auto_reply|auto-reply/i.test(header(root, 'precedence') ?? '')) return true;
  return /auto-replied\s*\(vacation\)|auto-notified/i.test(header(root, 'auto-submitted') ?? '');
}

export function detectAutoreply(root: MimePart): BounceReport | undefined {
  const from = addressesInHeader(header(root, 'from'))[0];
  if (from && isSystemAddress(from)) return undefined;
  const subject = header(root, 'subject') ?? '';
  if (!hasAutoreplyHeaders(root) && !AUTOREPLY_SUBJECT.test(subject)) return undefined;
  const recipients = from ? [{ address: from, status: '', hard: false, class: 'not-bounce' as const, reason: 'vacation' }] : [];
  return { bounce: false, feedback: false, recipients, format: 'autoreply' };
}
