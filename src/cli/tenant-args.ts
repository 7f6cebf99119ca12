/**
 * The options of `ferry tenant update`: their node:util parseArgs spec, usage lines and typed
 * view. Exports TENANT_OPTIONS, TENANT_USAGE, tenantUpdateOptionsFrom, TenantUpdateOptions.
 * No imports, so args.ts can compose it without a cycle. Values stay text here; the command
 * turns them into numbers / a parsed file and the shared operation validates them.
 */

export const TENANT_OPTIONS = {
  pool: { type: 'string' },
  'contact-email': { type: 'string' },
  'ip-fallback': { type: 'string' },
  rate: { type: 'string' },
  burst: { type: 'string' },
  'daily-quota': { type: 'string' },
  'clear-limits': { type: 'boolean', default: false },
  'content-policy': { type: 'string' },
  'clear-content-policy': { type: 'boolean', default: false },
} as const;

export const TENANT_USAGE = `  tenant update T [--pool P] [--contact-email E] [--ip-fallback pool|wait]
      [--rate N] [--burst N] [--daily-quota N] | --clear-limits      T's own limits (others kept; over tenantLimits)
      [--content-policy FILE] | --clear-content-policy              T's own content policy: YAML/JSON of one filter.tenants entry
`;

export interface TenantUpdateOptions {
  readonly pool: string | undefined;
  readonly contactEmail: string | undefined;
  readonly ipFallback: string | undefined;
  readonly rate: string | undefined;
  readonly burst: string | undefined;
  readonly dailyQuota: string | undefined;
  readonly clearLimits: boolean;
  readonly contentPolicyFile: string | undefined;
  readonly clearContentPolicy: boolean;
}

type Values = Record<string, string | boolean | string[] | undefined>;

const text = (value: Values[string]): string | undefined => (typeof value === 'string' ? value : undefined);

export function tenantUpdateOptionsFrom(values: Values): TenantUpdateOptions {
  return {
    pool: text(values.pool),
    contactEmail: text(values['contact-email']),
    ipFallback: text(values['ip-fallback']),
    rate: text(values.rate),
    burst: text(values.burst),
    dailyQuota: text(values['daily-quota']),
    clearLimits: values['clear-limits'] === true,
    contentPolicyFile: text(values['content-policy']),
    clearContentPolicy: values['clear-content-policy'] === true,
  };
}
