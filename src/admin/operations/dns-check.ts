/**
 * Live DNS check of a sending domain with the relay's resolver: is each record Ferry asks the
 * tenant to publish (DKIM per selector, SPF, DMARC, return-path SPF of the bounce domain)
 * actually there? Exports checkDomainDns → one result per suggestion: ok, missing (nothing
 * published), mismatch (published but not what Ferry needs, with what was found) or error.
 */
import type { Config } from '../../config/index.ts';
import type { SendingDomain } from '../../domain/index.ts';
import type { Resolver } from '../../platform/index.ts';
import { dnsRecordsFor, type DnsRecordSuggestion } from './domains.ts';

export interface DnsCheckResult {
  readonly purpose: DnsRecordSuggestion['purpose'];
  readonly name: string;
  readonly expected: string;
  readonly status: 'ok' | 'missing' | 'mismatch' | 'error';
  readonly found: readonly string[];
}

function ipMechanisms(spf: string): string[] {
  return spf.split(/\s+/).filter((term) => /^ip[46]:/.test(term));
}

/** Does a published TXT set satisfy the suggestion? */
function satisfies(suggestion: DnsRecordSuggestion, found: readonly string[]): boolean {
  switch (suggestion.purpose) {
    case 'dkim': {
      const key = /p=([^;\s]+)/.exec(suggestion.value)?.[1] ?? '';
      return found.some((txt) => txt.replace(/\s+/g, '').includes(`p=${key}`));
    }
    case 'dmarc':
      return found.some((txt) => /^v=DMARC1\s*;/i.test(txt.trim()));
    case 'spf':
    case 'return-path': {
      const spf = found.find((txt) => /^v=spf1(\s|$)/i.test(txt.trim()));
      return spf !== undefined && ipMechanisms(suggestion.value).every((m) => spf.split(/\s+/).includes(m));
    }
  }
}

async function checkOne(resolver: Resolver, suggestion: DnsRecordSuggestion): Promise<DnsCheckResult> {
  const base = { purpose: suggestion.purpose, name: suggestion.name, expected: suggestion.value };
  const answer = await resolver.txt(suggestion.name);
  if (answer.kind === 'nxdomain' || answer.kind === 'nodata') return { ...base, status: 'missing', found: [] };
  if (answer.kind !== 'records') return { ...base, status: 'error', found: [answer.kind] };
  const relevant = suggestion.purpose === 'dkim' ? answer.records : answer.records.filter((r) => /^v=(spf1|DMARC1)/i.test(r.trim()));
  if (relevant.length === 0) return { ...base, status: 'missing', found: [] };
  return { ...base, status: satisfies(suggestion, relevant) ? 'ok' : 'mismatch', found: relevant };
}

export async function checkDomainDns(resolver: Resolver, domain: SendingDomain, config: Config): Promise<DnsCheckResult[]> {
  return Promise.all(dnsRecordsFor(domain, config).map((suggestion) => checkOne(resolver, suggestion)));
}
