/**
 * Who may send as whom (ARCHITECTURE.md §1.2): the tenant must be active (suspended / closed →
 * 550 5.7.1 with a support reference), the MAIL FROM domain must be one of the tenant's sending
 * domains, and at DATA every `From:` header address must be too. Exports the three checks.
 * Domains compare lower-case and exactly (a subdomain is a different sending domain).
 */
import { ACCEPT, domainOf, refuse, type Verdict } from '../domain/index.ts';
import type { StateStore } from '../state/index.ts';
import type { IngressCheck, MailContext, MessageContext } from './types.ts';

export function tenantStatusCheck(state: StateStore): IngressCheck<MailContext> {
  return {
    name: 'tenant-status',
    async check({ tenantId }) {
      const tenant = await state.getTenant(tenantId);
      if (!tenant || tenant.status === 'closed') return refuse('tenant.closed', undefined, tenantId);
      if (tenant.status === 'suspended') return refuse('tenant.suspended', undefined, tenantId);
      return ACCEPT;
    },
  };
}

async function isTenantDomain(state: StateStore, tenantId: string, domain: string): Promise<boolean> {
  if (!domain) return false;
  const found = await state.getDomain(domain);
  return found !== undefined && found.tenantId === tenantId;
}

export function senderDomainCheck(state: StateStore): IngressCheck<MailContext> {
  return {
    name: 'sender-domain',
    async check({ tenantId, mailFrom }): Promise<Verdict> {
      const domain = domainOf(mailFrom);
      if (!domain) return refuse('sender.foreign-domain', 'A sender address of one of your sending domains is required');
      if (await isTenantDomain(state, tenantId, domain)) return ACCEPT;
      return refuse('sender.foreign-domain', `Sender domain ${domain} is not a sending domain of this account`);
    },
  };
}

export function headerFromCheck(state: StateStore): IngressCheck<MessageContext> {
  return {
    name: 'header-from-domain',
    async check({ tenantId, fromAddresses }): Promise<Verdict> {
      if (fromAddresses.length === 0) return refuse('sender.header-foreign-domain', 'Message has no From: header address');
      for (const domain of new Set(fromAddresses.map(domainOf))) {
        if (!(await isTenantDomain(state, tenantId, domain))) {
          return refuse('sender.header-foreign-domain', `From: header domain ${domain || '(none)'} is not a sending domain of this account`);
        }
      }
      return ACCEPT;
    },
  };
}
