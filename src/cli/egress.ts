/**
 * `ferry domain check DOMAIN`: a live lookup of the records a sending domain must publish (DKIM,
 * SPF, DMARC, return path) with this node's resolver, or through the admin API with --api URL.
 * The sending-IP and pool commands are in ip.ts and pool.ts.
 */
import { checkDomainDns, type DnsCheckResult } from '../admin/operations/index.ts';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import { createResolver, resolverOptionsFrom } from '../platform/index.ts';
import { expectArgs } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { table } from './output.ts';

interface DnsCheckView {
  readonly domain: string;
  readonly ok: boolean;
  readonly checks: readonly DnsCheckResult[];
}

async function checkDirect(context: CommandContext, name: string): Promise<DnsCheckView> {
  return withState(context, async (state) => {
    const domain = await state.getDomain(name.toLowerCase());
    if (!domain) throw new FerryError(ErrorCodes.NOT_FOUND, `no sending domain ${name}`);
    const checks = await checkDomainDns(createResolver(resolverOptionsFrom(context.config.dns)), domain, context.config);
    return { domain: domain.domain, ok: checks.every((c) => c.status === 'ok'), checks };
  });
}

export async function domainCheck(context: CommandContext): Promise<void> {
  const [name = ''] = expectArgs(context.rest, ['DOMAIN'], 'domain check');
  const view = viaApi(context)
    ? await callApi<DnsCheckView>(context, 'GET', `/v1/domains/${encodeURIComponent(name)}/dns-check`)
    : await checkDirect(context, name);
  context.out.result(view, () => [
    `${view.domain}: ${view.ok ? 'every record is published' : 'some records are missing or differ'}`,
    ...table([['PURPOSE', 'NAME', 'STATUS', 'FOUND'], ...view.checks.map((c) => [c.purpose, c.name, c.status, c.found.join(' | ') || '-'])]),
  ]);
}
