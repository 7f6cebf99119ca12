/**
 * Input checks shared by the CLI and the admin API: tenant names, contact emails, domain names,
 * CIDR networks.
 * Pure functions; each returns the normalised value or throws MTA_ERR_INVALID_INPUT with a
 * message that names the field and says what is accepted.
 */
import { isIP } from 'node:net';
import { ErrorCodes, FerryError } from '../../domain/index.ts';

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.INVALID_INPUT, message);
}

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateTenantName(name: string): string {
  if (!TENANT_NAME.test(name)) {
    throw invalid(`tenant name "${name}": use 1-64 characters a-z A-Z 0-9 . _ - starting with a letter or digit`);
  }
  if (name.startsWith('tn_')) throw invalid(`tenant name "${name}": names may not start with "tn_" (reserved for tenant ids)`);
  return name;
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** A tenant's contact address (operator notices): one plain address, at most 254 characters. */
export function validateContactEmail(input: string): string {
  const email = input.trim();
  if (email.length > 254 || !EMAIL.test(email)) throw invalid(`contact email "${input}": expected one address like noc@example.com`);
  return email;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A sending domain: lower-cased, trailing dot dropped, at least two labels, ASCII (punycode) only. */
export function validateDomainName(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/, '');
  const field = `domain "${input}"`;
  if (domain === '') throw invalid(`${field}: empty`);
  if (/[^\x20-\x7e]/.test(domain)) throw invalid(`${field}: use the ASCII (punycode, xn--) form of an internationalised name`);
  if (domain.length > 253) throw invalid(`${field}: longer than 253 characters`);
  const labels = domain.split('.');
  if (labels.length < 2) throw invalid(`${field}: needs at least two labels, e.g. example.com`);
  for (const label of labels) {
    if (!LABEL.test(label)) {
      throw invalid(`${field}: label "${label}" must be 1-63 characters a-z 0-9 -, not starting or ending with -`);
    }
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) throw invalid(`${field}: an IP address is not a domain name`);
  return domain;
}

/** `addr/prefix` (IPv4 or IPv6) or a bare address (→ /32 or /128). */
export function validateCidr(input: string): string {
  const [address = '', prefixText, extra] = input.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) throw invalid(`network "${input}": expected an IPv4/IPv6 address or CIDR like 10.0.0.0/8`);
  const max = family === 4 ? 32 : 128;
  if (prefixText === undefined) return `${address.toLowerCase()}/${max}`;
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) {
    throw invalid(`network "${input}": prefix length must be 0-${max}`);
  }
  return `${address.toLowerCase()}/${Number(prefixText)}`;
}
