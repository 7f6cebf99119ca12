/**
 * The options of the sending-IP commands (`ip …`, `pool …`): their node:util parseArgs spec,
 * usage lines and typed view. Exports IP_OPTIONS, IP_USAGE, ipOptionsFrom, IpOptions. No
 * imports, so args.ts can compose it without a cycle. `--reason` is global, `--note` a feedback
 * option and `--tenant` an operator option; `--member` may repeat.
 */

export const IP_OPTIONS = {
  helo: { type: 'string' },
  term: { type: 'string' },
  'no-auto-renew': { type: 'boolean', default: false },
  warmup: { type: 'string' },
  notice: { type: 'string' },
  member: { type: 'string', multiple: true },
  kind: { type: 'string' },
} as const;

export const IP_USAGE = `Sending IPs and pools (also through --api URL --token T):
  ip list                               the IP inventory: state, lease, pools
  ip show IP                            one IP: lease, warm-up progress (day, caps), history newest first
  ip add IP --helo NAME                 add an IP to the inventory (available)
  ip lease IP T [--term 365d] [--no-auto-renew] [--warmup SCHEDULE]   rent the IP to tenant T
  ip end-lease IP --reason R            end the lease now (available after the drain grace)
  ip renew IP | ip auto-renew IP on|off one more term now | renewal at the end of the term
  ip warmup IP SCHEDULE                 start a warm-up (schedules: egress.warmup.scheduleFile)
  ip quarantine IP --reason R | ip release IP --note N | ip retire IP --reason R
  ip revoke IP --reason R [--notice 0s] warn the lessee, remove after the notice period (0s: at once)
  pool list                             pools with kind, tenant and weighted members
  pool set NAME --member ADDR[:WEIGHT]... [--kind custom|tenant|shared] [--tenant T]   create or replace
  pool delete NAME                      delete a pool (never shared, never one a tenant uses)
`;

export interface IpOptions {
  readonly helo: string | undefined;
  readonly term: string | undefined;
  readonly noAutoRenew: boolean;
  readonly warmup: string | undefined;
  readonly notice: string | undefined;
  readonly members: readonly string[];
  readonly kind: string | undefined;
}

type Values = Record<string, string | boolean | undefined>;

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export function ipOptionsFrom(values: Values, members: readonly string[] | undefined): IpOptions {
  return {
    helo: text(values.helo),
    term: text(values.term),
    noAutoRenew: values['no-auto-renew'] === true,
    warmup: text(values.warmup),
    notice: text(values.notice),
    members: members ?? [],
    kind: text(values.kind),
  };
}
