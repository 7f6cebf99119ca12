/**
 * Amazon SES event notifications delivered by email (SNS → email subscription): a JSON body
 * with notificationType Bounce / Complaint and the SES recipient objects. Exports
 * parseSesNotification(text) → the SES facts, or undefined when the text is not one.
 * Pure; never throws on malformed JSON.
 */

export interface SesRecipient {
  readonly address: string;
  readonly status: string | undefined;
  readonly diagnostic: string;
  /** SES bounceType Permanent/Transient. */
  readonly permanent: boolean;
}

export interface SesNotification {
  readonly kind: 'bounce' | 'complaint';
  readonly recipients: readonly SesRecipient[];
  readonly feedbackType: string | undefined;
}

function firstJsonObject(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{"notificationType"');
  if (start < 0) return undefined;
  const end = text.lastIndexOf('}');
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function list(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** When wrapping broke the JSON: pull the recipient objects out by pattern. */
function salvage(text: string): Record<string, unknown> | undefined {
  const type = /"notificationType"\s*:\s*"(\w+)"/.exec(text)?.[1];
  if (!type) return undefined;
  const objects = [...text.matchAll(/\{"emailAddress"[^{}]*\}/g)].flatMap((m) => {
    try {
      return [JSON.parse(m[0]) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const bounceType = /"bounceType"\s*:\s*"(\w+)"/.exec(text)?.[1];
  return { notificationType: type, bounce: { bounceType, bouncedRecipients: objects }, complaint: { complainedRecipients: objects } };
}

export function parseSesNotification(text: string): SesNotification | undefined {
  if (!text.includes('"notificationType"')) return undefined;
  const joined = text.replace(/\s*\n\s*/g, '');
  const json = firstJsonObject(joined) ?? salvage(joined);
  if (!json) return undefined;
  const type = str(json.notificationType)?.toLowerCase();
  if (type === 'bounce') {
    const bounce = (json.bounce ?? {}) as Record<string, unknown>;
    const permanent = str(bounce.bounceType) !== 'Transient';
    const recipients = list(bounce.bouncedRecipients).map((r) => ({
      address: (str(r.emailAddress) ?? '').toLowerCase(),
      status: str(r.status),
      diagnostic: [str(r.diagnosticCode), str(bounce.bounceSubType)].filter(Boolean).join(' '),
      permanent,
    }));
    return { kind: 'bounce', recipients, feedbackType: undefined };
  }
  if (type === 'complaint') {
    const complaint = (json.complaint ?? {}) as Record<string, unknown>;
    const recipients = list(complaint.complainedRecipients).map((r) => ({
      address: (str(r.emailAddress) ?? '').toLowerCase(), status: undefined, diagnostic: '', permanent: false,
    }));
    return { kind: 'complaint', recipients, feedbackType: str(complaint.complaintFeedbackType) ?? 'abuse' };
  }
  return undefined;
}
