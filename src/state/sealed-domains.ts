/**
 * A sending domain as both backends store it: every DKIM private key sealed with the master key
 * (AES-256-GCM through SecretBox, AAD "dkim:<domain>:<selector>", so a sealed key cannot be moved
 * to another record); rotated keys keep only their public part. Exports StoredDomain, sealDomain
 * and openDomain. Pure apart from the cipher: no I/O.
 */
import type { DkimKey, RotatedDkimKey, SendingDomain } from '../domain/index.ts';
import type { SecretBox } from './secrets.ts';

export interface StoredDkimKey {
  readonly selector: string;
  readonly algorithm: DkimKey['algorithm'];
  readonly sealedPrivateKey: string;
  readonly publicKeyDns: string;
  readonly createdAt: number;
}

export interface StoredDomain {
  readonly domain: string;
  readonly tenantId: string;
  readonly createdAt: number;
  readonly dkimKeys: readonly StoredDkimKey[];
  /** Public parts only (no secret): rotated out of signing, still published until retired. */
  readonly rotatedDkimKeys?: readonly RotatedDkimKey[];
}

function sealContext(domain: string, selector: string): string {
  return `dkim:${domain}:${selector}`;
}

export function sealDomain(input: SendingDomain, secrets: SecretBox): StoredDomain {
  const dkimKeys = input.dkimKeys.map((key) => ({
    selector: key.selector,
    algorithm: key.algorithm,
    sealedPrivateKey: secrets.seal(key.privateKeyPem, sealContext(input.domain, key.selector)),
    publicKeyDns: key.publicKeyDns,
    createdAt: key.createdAt,
  }));
  const rotated = input.rotatedDkimKeys?.length ? { rotatedDkimKeys: input.rotatedDkimKeys } : {};
  return { domain: input.domain, tenantId: input.tenantId, createdAt: input.createdAt, dkimKeys, ...rotated };
}

export function openDomain(stored: StoredDomain, secrets: SecretBox): SendingDomain {
  const dkimKeys: DkimKey[] = stored.dkimKeys.map((key) => ({
    selector: key.selector,
    algorithm: key.algorithm,
    privateKeyPem: secrets.open(key.sealedPrivateKey, sealContext(stored.domain, key.selector)),
    publicKeyDns: key.publicKeyDns,
    createdAt: key.createdAt,
  }));
  const rotated = stored.rotatedDkimKeys?.length ? { rotatedDkimKeys: stored.rotatedDkimKeys } : {};
  return { domain: stored.domain, tenantId: stored.tenantId, createdAt: stored.createdAt, dkimKeys, ...rotated };
}
