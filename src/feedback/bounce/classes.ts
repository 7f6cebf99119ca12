/**
 * The closed set of bounce classes, whether each is hard (the ADDRESS is permanently bad and
 * must be suppressed) and the RFC 3463 enhanced-status table that maps a code to a class.
 * Exports BOUNCE_CLASSES, BounceClass, isHardClass, classFromEnhancedStatus, defaultStatusFor.
 * Pure data and functions, no I/O.
 */

export const BOUNCE_CLASSES = [
  'user-unknown', 'mailbox-full', 'domain-unknown', 'policy-block', 'spam-block',
  'auth-failure', 'rate-limit', 'expired', 'content', 'other',
] as const;

export type BounceClass = (typeof BOUNCE_CLASSES)[number];

export function isBounceClass(value: string): value is BounceClass {
  return (BOUNCE_CLASSES as readonly string[]).includes(value);
}

/** What a code alone says: class, finer reason, and whether the verdict is specific enough to trust over text. */
export interface StatusVerdict {
  readonly class: BounceClass;
  readonly reason: string;
  /** true: the code is trusted over the reply text; false for catch-alls (X.0.0, X.7.1) and codes MTAs misuse (X.1.1). */
  readonly specific: boolean;
}

const v = (cls: BounceClass, reason: string = cls, specific = true): StatusVerdict => ({ class: cls, reason, specific });

/** RFC 3463 / RFC 7505 / RFC 7372 / RFC 8098 subject.detail → verdict. Class digit handled by the caller. */
const STATUS_TABLE: Readonly<Record<string, StatusVerdict>> = {
  '1.0': v('other', 'other', false),
  '1.1': v('user-unknown', 'user-unknown', false),
  '1.2': v('domain-unknown', 'domain-unknown', false),
  '1.3': v('user-unknown', 'syntax-error', false),
  '1.4': v('user-unknown', 'user-unknown', false),
  '1.6': v('user-unknown', 'has-moved'),
  '1.7': v('policy-block', 'rejected'),
  '1.8': v('policy-block', 'rejected'),
  '1.10': v('domain-unknown', 'null-mx', false),
  '2.0': v('other', 'other', false),
  '2.1': v('user-unknown', 'mailbox-disabled', false),
  '2.2': v('mailbox-full'),
  '2.3': v('other', 'exceed-limit'),
  '2.4': v('other', 'mailer-error', false),
  '3.0': v('other', 'system-error', false),
  '3.1': v('other', 'system-full'),
  '3.2': v('rate-limit', 'rate-limit', false),
  '3.3': v('other', 'system-error', false),
  '3.4': v('other', 'message-too-big'),
  '3.5': v('other', 'system-error', false),
  '4.0': v('expired', 'network-error', false),
  '4.1': v('expired', 'network-error', false),
  '4.2': v('expired', 'network-error', false),
  '4.3': v('expired', 'network-error', false),
  '4.4': v('domain-unknown', 'domain-unknown', false),
  '4.5': v('other', 'system-full', false),
  '4.6': v('expired', 'network-error'),
  '4.7': v('expired', 'expired', false),
  '5.0': v('other', 'other', false),
  '5.1': v('other', 'syntax-error', false),
  '5.2': v('other', 'syntax-error', false),
  '5.3': v('rate-limit', 'too-many-recipients'),
  '5.4': v('other', 'syntax-error', false),
  '6.0': v('content', 'content', false),
  '6.1': v('content'),
  '6.2': v('content'),
  '6.3': v('content'),
  '6.4': v('content'),
  '6.5': v('content'),
  '7.0': v('policy-block', 'policy-block', false),
  '7.1': v('policy-block', 'policy-block', false),
  '7.2': v('policy-block'),
  '7.3': v('policy-block'),
  '7.4': v('policy-block', 'security-error', false),
  '7.5': v('policy-block', 'security-error', false),
  '7.6': v('policy-block', 'security-error', false),
  '7.7': v('content', 'security-error', false),
  '7.8': v('policy-block', 'security-error', false),
  '7.9': v('policy-block', 'security-error', false),
  '7.13': v('user-unknown', 'mailbox-disabled'),
  '7.14': v('policy-block'),
  '7.15': v('rate-limit'),
  '7.17': v('user-unknown', 'has-moved'),
  '7.18': v('user-unknown', 'has-moved'),
  '7.20': v('auth-failure'),
  '7.21': v('auth-failure'),
  '7.22': v('auth-failure'),
  '7.23': v('auth-failure'),
  '7.24': v('auth-failure'),
  '7.25': v('policy-block', 'require-ptr'),
  '7.26': v('auth-failure'),
  '7.27': v('policy-block', 'rejected', false),
  '7.28': v('rate-limit'),
  '7.29': v('auth-failure'),
  '7.30': v('policy-block', 'failed-starttls'),
  // Microsoft Exchange Online extensions met in the wild
  '7.509': v('auth-failure'),
  '7.606': v('policy-block', 'blocked'),
  '7.708': v('policy-block', 'blocked'),
  '4.312': v('expired', 'network-error'),
  '4.316': v('expired', 'network-error'),
  '1.351': v('user-unknown', 'user-unknown', false),
};

/** Parses `X.Y.Z`; undefined for anything else. */
export function splitStatus(status: string | undefined): { klass: string; detail: string } | undefined {
  const m = /^([245])\.(\d{1,3})\.(\d{1,3})$/.exec(status ?? '');
  return m ? { klass: m[1] as string, detail: `${Number(m[2])}.${Number(m[3])}` } : undefined;
}

export function classFromEnhancedStatus(status: string | undefined): StatusVerdict | undefined {
  const parts = splitStatus(status);
  if (!parts || parts.klass === '2') return undefined;
  // An unlisted detail (X.6.9, X.7.99) still has its subject: fall back to subject.0, never specific.
  const exact = STATUS_TABLE[parts.detail];
  const subject = STATUS_TABLE[`${parts.detail.split('.')[0]}.0`];
  return exact ?? (subject ? { ...subject, specific: false } : undefined);
}

/**
 * Hard = the address itself is permanently bad: an unknown user or a domain that does not exist.
 * A disabled/suspended mailbox may come back, so rules mark it soft; a transient (4.x.x)
 * domain failure is soft; everything about the sender, the content or the path is soft.
 */
export function isHardClass(cls: BounceClass, permanent: boolean): boolean {
  if (cls === 'user-unknown') return true;
  if (cls === 'domain-unknown') return permanent;
  return false;
}

const DEFAULT_DETAIL: Readonly<Record<BounceClass, string>> = {
  'user-unknown': '1.1', 'mailbox-full': '2.2', 'domain-unknown': '1.2', 'policy-block': '7.1',
  'spam-block': '7.1', 'auth-failure': '7.26', 'rate-limit': '7.28', expired: '4.7', content: '6.0', other: '0.0',
};

/** A status for a recipient whose bounce carried no enhanced code. */
export function defaultStatusFor(cls: BounceClass, permanent: boolean): string {
  return `${permanent ? 5 : 4}.${DEFAULT_DETAIL[cls]}`;
}
