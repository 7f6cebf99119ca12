/**
 * Admin API bearer tokens: `fadm_<id>.<secret>` (id: 12 base32 chars, secret: 200 random bits).
 * Only the sha256 of the whole token is stored; a request is authenticated by looking the record
 * up by its id (not secret) and comparing hashes in constant time. Scopes are a closed list.
 * Exports ADMIN_SCOPES, AdminScope, AdminTokenRecord, newAdminToken, parseAdminToken,
 * adminTokenMatches, parseScopes. Pure apart from randomness.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, FerryError } from './errors.ts';

/** read: every GET; tenants: tenants, keys, domains, credits; ips; queues: bulk verbs; abuse: suspension + suppression. */
export const ADMIN_SCOPES = ['read', 'tenants', 'ips', 'queues', 'abuse'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

export interface AdminTokenRecord {
  readonly id: string;
  /** Who holds it (recorded as the actor of AdminAction records: `admin-api:<name>`). */
  readonly name: string;
  readonly scopes: readonly AdminScope[];
  /** Hex sha256 of the full token. */
  readonly hash: string;
  readonly createdAt: number;
  readonly revokedAt?: number;
}

const TOKEN_PATTERN = /^fadm_([a-z0-9]{12})\.([a-z0-9]{40,})$/;

function randomText(bytes: number, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(bytes)].map((b) => alphabet[b % 32]).join('').slice(0, length);
}

export function hashAdminToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh token (shown once) and the record to store. */
export function newAdminToken(name: string, scopes: readonly AdminScope[], now = Date.now()): { token: string; record: AdminTokenRecord } {
  const id = randomText(12, 12);
  const token = `fadm_${id}.${randomText(40, 40)}`;
  return { token, record: { id, name, scopes: [...new Set(scopes)], hash: hashAdminToken(token), createdAt: now } };
}

/** The token's id, or undefined when it is not shaped like a Ferry admin token. */
export function parseAdminToken(token: string): string | undefined {
  return TOKEN_PATTERN.exec(token)?.[1];
}

/** Constant-time comparison of the presented token's hash with the stored one. */
export function adminTokenMatches(token: string, record: AdminTokenRecord): boolean {
  const presented = Buffer.from(hashAdminToken(token), 'hex');
  const stored = Buffer.from(record.hash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** "read,queues" → scopes; unknown names are MTA_ERR_INVALID_INPUT. */
export function parseScopes(text: string): AdminScope[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new FerryError(ErrorCodes.INVALID_INPUT, `scopes: give at least one of ${ADMIN_SCOPES.join(', ')}`);
  for (const name of names) {
    if (!(ADMIN_SCOPES as readonly string[]).includes(name)) {
      throw new FerryError(ErrorCodes.INVALID_INPUT, `scopes: unknown scope "${name}" (known: ${ADMIN_SCOPES.join(', ')})`);
    }
  }
  return names as AdminScope[];
}
