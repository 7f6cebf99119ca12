/**
 * DKIM key rotation with overlapping selectors, shared by the admin API and `ferry domain`.
 * rotate: a new ed25519 + rsa pair under new selectors becomes the signing pair; the previous
 *   signing keys move to `rotatedDkimKeys` — their private keys are dropped (they never sign
 *   again) but they stay among the DNS records, so mail signed before the rotation still verifies.
 * retire: the second call; removes rotated keys (all, or the named selectors) from the domain,
 *   and answers the TXT records that may now be deleted. Signing keys cannot be retired.
 * Why the signer needs no change: src/delivery/dkim.ts signs with every key in `dkimKeys`, and
 * that list only ever holds the newest pair. Both writes are compare-and-set in the store.
 */
import type { Config } from '../../config/index.ts';
import { ErrorCodes, FerryError, type RotatedDkimKey, type SendingDomain } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { dkimRecord, dnsRecordsFor, generateDkimKeys, selectorStem, type DnsRecordSuggestion } from './domains.ts';
import { recordAdminAction, type OperationContext } from './tenants.ts';
import { validateDomainName } from './validate.ts';

export interface RotationResult {
  readonly domain: SendingDomain;
  /** Records to publish now (the new selectors). */
  readonly publish: readonly DnsRecordSuggestion[];
  /** Records that must stay published until retired (the previous selectors). */
  readonly keepPublished: readonly DnsRecordSuggestion[];
  readonly dnsRecords: readonly DnsRecordSuggestion[];
}

export interface RetirementResult {
  readonly domain: SendingDomain;
  /** TXT records that can be deleted from DNS now. */
  readonly unpublish: readonly DnsRecordSuggestion[];
  readonly dnsRecords: readonly DnsRecordSuggestion[];
}

async function mustGetDomain(state: StateStore, name: string): Promise<SendingDomain> {
  const domainName = validateDomainName(name);
  const domain = await state.getDomain(domainName);
  if (!domain) throw new FerryError(ErrorCodes.NOT_FOUND, `no sending domain ${domainName}`);
  return domain;
}

/** `fy<yyyymm>`, or `fy<yyyymm>n2`, `…n3` when that month's selectors are taken. */
function freshStem(domain: SendingDomain, now: Date): string {
  const taken = new Set([...domain.dkimKeys, ...(domain.rotatedDkimKeys ?? [])].map((k) => k.selector.replace(/[er]$/, '')));
  const base = selectorStem(now);
  let stem = base;
  for (let n = 2; taken.has(stem); n++) stem = `${base}n${n}`;
  return stem;
}

export async function rotateDkimKeys(state: StateStore, name: string, config: Config, context: OperationContext = {}, now = new Date()): Promise<RotationResult> {
  const current = await mustGetDomain(state, name);
  const dkimKeys = await generateDkimKeys(now, freshStem(current, now));
  const rotatedNow: RotatedDkimKey[] = current.dkimKeys.map((k) => ({ selector: k.selector, algorithm: k.algorithm, publicKeyDns: k.publicKeyDns, createdAt: k.createdAt, rotatedAt: now.getTime() }));
  const rotatedDkimKeys = [...(current.rotatedDkimKeys ?? []), ...rotatedNow];
  const domain = await state.replaceDomainKeys(current.domain, current.dkimKeys.map((k) => k.selector), { dkimKeys, rotatedDkimKeys });
  await recordAdminAction(state, context, {
    tenantId: domain.tenantId, action: 'domain.dkim-rotate', target: domain.domain,
    reason: `${rotatedNow.map((k) => k.selector).join(',') || 'none'} → ${dkimKeys.map((k) => k.selector).join(',')}`,
  });
  return {
    domain,
    publish: dkimKeys.map((k) => dkimRecord(domain.domain, k)),
    keepPublished: rotatedDkimKeys.map((k) => dkimRecord(domain.domain, k)),
    dnsRecords: dnsRecordsFor(domain, config),
  };
}

export async function retireDkimKeys(state: StateStore, name: string, selectors: readonly string[] | undefined, config: Config, context: OperationContext = {}): Promise<RetirementResult> {
  const current = await mustGetDomain(state, name);
  const rotated = current.rotatedDkimKeys ?? [];
  const signing = new Set(current.dkimKeys.map((k) => k.selector));
  for (const selector of selectors ?? []) {
    if (signing.has(selector)) throw new FerryError(ErrorCodes.INVALID_INPUT, `selector ${selector} is signing now; rotate first, then retire it`);
    if (!rotated.some((k) => k.selector === selector)) throw new FerryError(ErrorCodes.INVALID_INPUT, `selector ${selector} is not a rotated key of ${current.domain}`);
  }
  if (rotated.length === 0) throw new FerryError(ErrorCodes.STATE_CONFLICT, `${current.domain} has no rotated keys to retire`);
  const retiring = selectors === undefined ? rotated : rotated.filter((k) => selectors.includes(k.selector));
  const kept = rotated.filter((k) => !retiring.includes(k));
  const domain = await state.replaceDomainKeys(current.domain, current.dkimKeys.map((k) => k.selector), { dkimKeys: current.dkimKeys, rotatedDkimKeys: kept });
  await recordAdminAction(state, context, { tenantId: domain.tenantId, action: 'domain.dkim-retire', target: domain.domain, reason: retiring.map((k) => k.selector).join(',') });
  return { domain, unpublish: retiring.map((k) => dkimRecord(domain.domain, k)), dnsRecords: dnsRecordsFor(domain, config) };
}
