/**
 * Email address helpers for bounce parsing: find addresses in free text and DSN fields, clean
 * them (`rfc822; <a@b>` → `a@b`), and tell apart addresses that are never a failed recipient
 * (MAILER-DAEMON, postmaster, the bounce's own envelope). Exports findAddresses, cleanAddress,
 * isSystemAddress, addressesInHeader. Pure.
 */

const ADDRESS = /[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:\[[0-9.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)/g;

/** `rfc822; <User@Example.COM>` → `user@example.com`; undefined if no address inside. */
export function cleanAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const withoutType = value.replace(/^\s*[a-z0-9-]+\s*;\s*/i, '');
  const angled = /<([^<>\s]+@[^<>\s]+)>/.exec(withoutType);
  const raw = angled ? angled[1] : withoutType.trim().split(/\s+/)[0];
  const cleaned = (raw ?? '').replace(/^["'(<]+|[>"'),.;:]+$/g, '').toLowerCase();
  if (/^=\?.*\?=@/.test(cleaned)) return cleaned;
  return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(cleaned) ? cleaned : undefined;
}

/** Every address-looking token in `text`, lower-cased, in order, without duplicates. */
export function findAddresses(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(ADDRESS)) {
    const cleaned = match[0].replace(/^[.-]+|[.-]+$/g, '').toLowerCase();
    if (/\.(?:[a-z]{2,}|xn--[a-z0-9-]+)$/.test(cleaned) && !seen.has(cleaned)) seen.add(cleaned);
  }
  return [...seen];
}

export function addressesInHeader(value: string | undefined): string[] {
  return value ? findAddresses(value) : [];
}

const SYSTEM_LOCAL_PARTS = /^(mailer-?daemon|mail-?daemon|postmaster|root|nobody|noreply|no-reply|do-not-reply|donotreply|bounces?|abuse|hostmaster|mail-delivery-system|microsoftexchange[0-9a-f]*)$/i;

/** Addresses that report failures rather than suffer them. */
export function isSystemAddress(address: string): boolean {
  const local = address.slice(0, address.lastIndexOf('@'));
  return SYSTEM_LOCAL_PARTS.test(local);
}
