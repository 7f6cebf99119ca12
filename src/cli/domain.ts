/**
 * `ferry domain …` commands: add (generates ed25519 + rsa-2048 DKIM keys, prints the DNS records
 * to publish) and list. Private keys never leave the store through the CLI.
 */
import { addSendingDomain, dnsRecordsFor, listDomains } from '../admin/operations/index.ts';
import type { DnsRecordSuggestion } from '../admin/operations/index.ts';
import { expectArgs } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { publicDomain, table } from './output.ts';

const ACTOR = { actor: 'cli' };

function recordLines(records: readonly DnsRecordSuggestion[]): string[] {
  return records.flatMap((r) => [`${r.name}  ${r.type}  "${r.value}"`, ...(r.note ? [`    (${r.purpose}: ${r.note})`] : [])]);
}

export async function domainAdd(context: CommandContext): Promise<void> {
  const [ref = '', name = ''] = expectArgs(context.rest, ['T', 'DOMAIN'], 'domain add');
  const { domain, dnsRecords } = await withState(context, (state) => addSendingDomain(state, ref, name, context.config, ACTOR));
  context.out.result({ domain: publicDomain(domain), dnsRecords }, () => [
    `added ${domain.domain}; publish these DNS records:`,
    '',
    ...recordLines(dnsRecords),
  ]);
}

export async function domainList(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'domain list');
  const domains = await withState(context, (state) => listDomains(state, ref));
  const views = domains.map((d) => ({ ...publicDomain(d), dnsRecords: dnsRecordsFor(d, context.config) }));
  context.out.result(views, () =>
    views.length === 0
      ? ['no domains']
      : table([['DOMAIN', 'CREATED', 'DKIM SELECTORS'], ...views.map((d) => [d.domain, d.createdAt, d.dkimKeys.map((k) => k.selector).join(',')])]),
  );
}
