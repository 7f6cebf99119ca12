/**
 * `ferry domain rotate DOMAIN` and `ferry domain retire DOMAIN [SELECTOR...]`: DKIM rotation with
 * overlapping selectors (src/admin/operations/dkim-rotation.ts), directly on the node's state
 * store or through the admin API with --api URL. Prints the DNS records to publish / delete.
 * Exports domainRotate, domainRetire.
 */
import { retireDkimKeys, rotateDkimKeys } from '../admin/operations/index.ts';
import type { DnsRecordSuggestion } from '../admin/operations/index.ts';
import { usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';

const ACTOR = { actor: 'cli' };

interface KeysView {
  readonly domain: { readonly domain: string; readonly signing: readonly { selector: string }[]; readonly rotated: readonly { selector: string }[] };
}

function viewOf(domain: { domain: string; dkimKeys: readonly { selector: string }[]; rotatedDkimKeys?: readonly { selector: string }[] }): KeysView['domain'] {
  return { domain: domain.domain, signing: domain.dkimKeys.map((k) => ({ selector: k.selector })), rotated: (domain.rotatedDkimKeys ?? []).map((k) => ({ selector: k.selector })) };
}

const lines = (records: readonly DnsRecordSuggestion[]) => records.map((r) => `  ${r.name}  TXT  "${r.value}"`);

export async function domainRotate(context: CommandContext): Promise<void> {
  const [name, ...extra] = context.rest;
  if (name === undefined || extra.length > 0) throw usageError('domain rotate expects DOMAIN');
  const result: KeysView & { publish: DnsRecordSuggestion[]; keepPublished: DnsRecordSuggestion[] } = viaApi(context)
    ? await callApi(context, 'POST', `/v1/domains/${encodeURIComponent(name)}/dkim/rotate`, {})
    : await withState(context, async (state) => {
        const rotated = await rotateDkimKeys(state, name, context.config, ACTOR);
        return { publish: [...rotated.publish], keepPublished: [...rotated.keepPublished], domain: viewOf(rotated.domain) };
      });
  context.out.result(result, () => [
    `${result.domain.domain}: now signing with ${result.domain.signing.map((k) => k.selector).join(', ')}`,
    'publish:', ...lines(result.publish),
    'keep published until `ferry domain retire`:', ...lines(result.keepPublished),
  ]);
}

export async function domainRetire(context: CommandContext): Promise<void> {
  const [name, ...selectors] = context.rest;
  if (name === undefined) throw usageError('domain retire expects DOMAIN [SELECTOR...]');
  const chosen = selectors.length > 0 ? selectors : undefined;
  const result: KeysView & { unpublish: DnsRecordSuggestion[] } = viaApi(context)
    ? await callApi(context, 'POST', `/v1/domains/${encodeURIComponent(name)}/dkim/retire`, chosen ? { selectors: chosen } : {})
    : await withState(context, async (state) => {
        const retired = await retireDkimKeys(state, name, chosen, context.config, ACTOR);
        return { unpublish: [...retired.unpublish], domain: viewOf(retired.domain) };
      });
  context.out.result(result, () => [`${result.domain.domain}: retired; these TXT records can be deleted:`, ...lines(result.unpublish)]);
}
