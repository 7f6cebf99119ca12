/**
 * Sending-domain operations: addSendingDomain generates BOTH an ed25519 and an rsa-2048 DKIM
 * key (node:crypto, async, off the event loop), stores them (sealed by the state store) and
 * returns the DNS records to publish: one DKIM TXT per key, an SPF suggestion for the configured
 * egress IPs, a DMARC suggestion and the return-path (the bounce domain). Selectors are
 * `fy<yyyymm>e` / `fy<yyyymm>r`, so a later rotation gets new selectors (dkim-rotation.ts).
 * Keys rotated out of signing stay among the DNS records until retired. Also listDomains.
 */
import { generateKeyPair } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { promisify } from 'node:util';
import type { Config } from '../../config/index.ts';
import type { DkimKey, SendingDomain, Tenant } from '../../domain/index.ts';
import type { StateStore } from '../../state/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';
import { validateDomainName } from './validate.ts';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface DnsRecordSuggestion {
  readonly purpose: 'dkim' | 'spf' | 'dmarc' | 'return-path';
  readonly type: 'TXT';
  readonly name: string;
  readonly value: string;
  readonly note?: string;
}

export interface AddedDomain {
  readonly domain: SendingDomain;
  readonly dnsRecords: readonly DnsRecordSuggestion[];
}

export function selectorStem(now: Date): string {
  return `fy${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** An ed25519 key (RFC 8463: p= is the raw 32-byte public key) and an rsa-2048 key (p= is SPKI DER). */
export async function generateDkimKeys(now = new Date(), stem = selectorStem(now)): Promise<DkimKey[]> {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  const [ed, rsa] = await Promise.all([
    generateKeyPairAsync('ed25519', { publicKeyEncoding, privateKeyEncoding }),
    generateKeyPairAsync('rsa', { modulusLength: 2048, publicKeyEncoding, privateKeyEncoding }),
  ]);
  const createdAt = now.getTime();
  return [
    { selector: `${stem}e`, algorithm: 'ed25519-sha256', privateKeyPem: ed.privateKey, publicKeyDns: ed.publicKey.subarray(-32).toString('base64'), createdAt },
    { selector: `${stem}r`, algorithm: 'rsa-sha256', privateKeyPem: rsa.privateKey, publicKeyDns: rsa.publicKey.toString('base64'), createdAt },
  ];
}

export function spfRecord(config: Config): string {
  const addresses = [...new Set(config.egress.ips.map((ip) => ip.address))];
  return ['v=spf1', ...addresses.map((a) => `${isIPv6(a) ? 'ip6' : 'ip4'}:${a}`), '~all'].join(' ');
}

export function dkimRecord(domain: string, key: Pick<DkimKey, 'selector' | 'algorithm' | 'publicKeyDns'>): DnsRecordSuggestion {
  return {
    purpose: 'dkim',
    type: 'TXT',
    name: `${key.selector}._domainkey.${domain}`,
    value: `v=DKIM1; k=${key.algorithm === 'ed25519-sha256' ? 'ed25519' : 'rsa'}; p=${key.publicKeyDns}`,
  };
}

export function dnsRecordsFor(domain: SendingDomain, config: Config): DnsRecordSuggestion[] {
  const rotatedNote = 'rotated out of signing: keep published until retired (`ferry domain retire`), then delete';
  const dkim: DnsRecordSuggestion[] = [
    ...domain.dkimKeys.map((key) => dkimRecord(domain.domain, key)),
    ...(domain.rotatedDkimKeys ?? []).map((key) => ({ ...dkimRecord(domain.domain, key), note: rotatedNote })),
  ];
  const bounceDomain = config.delivery.bounceDomain;
  return [
    ...dkim,
    { purpose: 'spf', type: 'TXT', name: domain.domain, value: spfRecord(config), note: 'merge with an existing SPF record: one v=spf1 per name' },
    {
      purpose: 'dmarc',
      type: 'TXT',
      name: `_dmarc.${domain.domain}`,
      value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain.domain}`,
      note: 'start with p=none, move to quarantine/reject once reports are clean',
    },
    {
      purpose: 'return-path',
      type: 'TXT',
      name: bounceDomain,
      value: spfRecord(config),
      note: `envelope sender is bounces+<token>@${bounceDomain}; the relay operator publishes this SPF (and an MX to the relay) once for all tenants`,
    },
  ];
}

export async function addSendingDomain(
  state: StateStore,
  tenant: string | Tenant,
  domainName: string,
  config: Config,
  context: OperationContext = {},
  options: { readonly dkim?: boolean } = {},
): Promise<AddedDomain> {
  const name = validateDomainName(domainName);
  const owner = await resolveTenant(state, tenant);
  // dkim: false → no keys: delivery signs nothing for it (the application may sign itself);
  // `ferry domain rotate` gives it keys later.
  const dkimKeys = options.dkim === false ? [] : await generateDkimKeys();
  const domain = await state.addDomain({ domain: name, tenantId: owner.id, createdAt: Date.now(), dkimKeys });
  await recordAdminAction(state, context, { tenantId: owner.id, action: 'domain.add', target: name });
  return { domain, dnsRecords: dnsRecordsFor(domain, config) };
}

export async function listDomains(state: StateStore, tenant: string | Tenant): Promise<SendingDomain[]> {
  return state.listDomains((await resolveTenant(state, tenant)).id);
}
