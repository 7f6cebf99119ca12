/**
 * The operator options of `ferry` (queue, message, outcomes, admin token commands): their
 * node:util parseArgs spec, usage lines and typed view. Exports OPERATOR_OPTIONS,
 * OPERATOR_USAGE, operatorOptionsFrom, OperatorOptions. Kept apart from args.ts so the
 * operator's verbs grow here without touching the tenant/key/domain commands.
 * `--api URL` sends a command to a running relay's admin API (token: --token or FERRYCTL_TOKEN).
 */

export const OPERATOR_OPTIONS = {
  api: { type: 'string' },
  token: { type: 'string' },
  tenant: { type: 'string' },
  domain: { type: 'string' },
  message: { type: 'string' },
  'older-than': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  scopes: { type: 'string' },
  name: { type: 'string' },
  limit: { type: 'string' },
  after: { type: 'string' },
  type: { type: 'string' },
} as const;

export const OPERATOR_USAGE = `Operator commands (add --api URL [--token T] to go through a running relay's admin API):
  queue                                 queues by egress path, tenant and domain: depth, oldest age
  queue hold|release|retry-now FILTER   bulk change of queued deliveries (--dry-run: count only)
  queue bounce|purge FILTER --reason R  remove queued deliveries with a Bounce / AdminAction record each
  message ID                            one message: its deliveries in the spool and every record
  outcomes [--tenant T] [--type A,B] [--after SEQ] [--limit N]   outcome records, paged
  admin token add --name N --scopes S   issue an admin API token (shown once; scopes: ${'read,tenants,ips,queues,abuse'})
  admin token list | admin token revoke ID
  FILTER: --tenant T --domain D --message ID --older-than 2h
`;

export interface OperatorOptions {
  readonly api: string | undefined;
  readonly token: string | undefined;
  readonly tenant: string | undefined;
  readonly domain: string | undefined;
  readonly message: string | undefined;
  readonly olderThan: string | undefined;
  readonly dryRun: boolean;
  readonly scopes: string | undefined;
  readonly name: string | undefined;
  readonly limit: string | undefined;
  readonly after: string | undefined;
  readonly type: string | undefined;
}

type Values = Record<string, string | boolean | undefined>;

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export function operatorOptionsFrom(values: Values): OperatorOptions {
  return {
    api: text(values.api),
    token: text(values.token) ?? process.env.FERRYCTL_TOKEN,
    tenant: text(values.tenant),
    domain: text(values.domain),
    message: text(values.message),
    olderThan: text(values['older-than']),
    dryRun: values['dry-run'] === true,
    scopes: text(values.scopes),
    name: text(values.name),
    limit: text(values.limit),
    after: text(values.after),
    type: text(values.type),
  };
}
