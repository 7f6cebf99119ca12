/**
 * `ferry domain …` commands: add (generates ed25519 + rsa-2048 DKIM keys unless --no-dkim, prints
 * the DNS records to publish) and list — on the store, or through the admin API with --api URL (same output).
 * Private keys never leave the store through the CLI. Also exports fetchDomains / domainFromApi.
 */
import { addSendingDomain, dnsRecordsFor, listDomains } from '../admin/operations/index.ts';
import type { DnsRecordSuggestion } from '../admin/operations/index.ts';
import { expectArgs } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { publicDomain, table } from './output.ts';

const ACTOR = { actor: 'cli' };

type DomainView = ReturnType<typeof publicDomain>;
/** The admin API's domain view: the same as the CLI's but createdAt in epoch ms. */
type ApiDomainView = Omit<DomainView, 'createdAt'> & { readonly createdAt: number };

export function domainFromApi(view: ApiDomainView): DomainView {
  return { domain: view.domain, tenantId: view.tenantId, createdAt: new Date(view.createdAt).toISOString(), dkimKeys: view.dkimKeys };
}

const tenantPath = (ref: string) => `/v1/tenants/${encodeURIComponent(ref)}`;

export async function fetchDomains(context: CommandContext, ref: string): Promise<DomainView[]> {
  if (!viaApi(context)) return (await withState(context, (state) => listDomains(state, ref))).map(publicDomain);
  return (await callApi<ApiDomainView[]>(context, 'GET', `${tenantPath(ref)}/domains`)).map(domainFromApi);
}

async function addDomain(context: CommandContext, ref: string, name: string): Promise<{ domain: DomainView; dnsRecords: DnsRecordSuggestion[] }> {
  const options = context.args.noDkim ? { dkim: false } : {};
  if (viaApi(context)) {
    const added = await callApi<{ domain: ApiDomainView; dnsRecords: DnsRecordSuggestion[] }>(context, 'POST', `${tenantPath(ref)}/domains`, { domain: name, ...options });
    return { domain: domainFromApi(added.domain), dnsRecords: added.dnsRecords };
  }
  const added = await withState(context, (state) => addSendingDomain(state, ref, name, context.config, ACTOR, options));
  return { domain: publicDomain(added.domain), dnsRecords: [...added.dnsRecords] };
}

async function domainViews(context: CommandContext, ref: string): Promise<(DomainView & { dnsRecords: DnsRecordSuggestion[] })[]> {
  if (!viaApi(context)) {
    const domains = await withState(context, (state) => listDomains(state, ref));
    return domains.map((d) => ({ ...publicDomain(d), dnsRecords: [...dnsRecordsFor(d, context.config)] }));
  }
  const domains = await fetchDomains(context, ref);
  const records = await Promise.all(domains.map((d) => callApi<DnsRecordSuggestion[]>(context, 'GET', `/v1/domains/${encodeURIComponent(d.domain)}/dns-records`)));
  return domains.map((d, i) => ({ ...d, dnsRecords: records[i] ?? [] }));
}

function recordLines(records: readonly DnsRecordSuggestion[]): string[] {
  return records.flatMap((r) => [`${r.name}  ${r.type}  "${r.value}"`, ...(r.note ? [`    (${r.purpose}: ${r.note})`] : [])]);
}

export async function domainAdd(context: CommandContext): Promise<void> {
  const [ref = '', name = ''] = expectArgs(context.rest, ['T', 'DOMAIN'], 'domain add');
  const { domain, dnsRecords } = await addDomain(context, ref, name);
  context.out.result({ domain, dnsRecords }, () => [
    `added ${domain.domain}; publish these DNS records:`,
    ...(domain.dkimKeys.length === 0 ? [`(no DKIM keys: its mail is relayed unsigned; \`ferry domain rotate ${domain.domain}\` adds keys)`] : []),
    '',
    ...recordLines(dnsRecords),
  ]);
}

export async function domainList(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'domain list');
  const views = await domainViews(context, ref);
  context.out.result(views, () =>
    views.length === 0
      ? ['no domains']
      : table([['DOMAIN', 'CREATED', 'DKIM SELECTORS'], ...views.map((d) => [d.domain, d.createdAt, d.dkimKeys.map((k) => k.selector).join(',') || 'none (unsigned)'])]),
  );
}
