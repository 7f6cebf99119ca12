/**
 * The options of the credit commands (`credits add|show`, `tenant refill`): their node:util
 * parseArgs spec, usage lines and typed view. Exports CREDIT_OPTIONS, CREDIT_USAGE,
 * creditOptionsFrom, CreditOptions. No imports, so args.ts can compose it without a cycle.
 */

export const CREDIT_OPTIONS = {
  threshold: { type: 'string' },
  amount: { type: 'string' },
  enable: { type: 'boolean', default: false },
  disable: { type: 'boolean', default: false },
  ref: { type: 'string' },
  lines: { type: 'string' },
} as const;

export const CREDIT_USAGE = `Credit commands:
  credits add T N [--ref R]             add N credits (a top-up ledger entry; --ref makes it idempotent)
  credits show T [--lines N]            balance, reserved, available and the last ledger lines
  tenant refill T --threshold 100 --amount 2000 --enable|--disable
                                        auto-refill: below threshold, buy amount (needs billing.url)
`;

export interface CreditOptions {
  readonly threshold: string | undefined;
  readonly amount: string | undefined;
  readonly enable: boolean;
  readonly disable: boolean;
  readonly ref: string | undefined;
  readonly lines: string | undefined;
}

type Values = Record<string, string | boolean | undefined>;

const text = (value: string | boolean | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

export function creditOptionsFrom(values: Values): CreditOptions {
  return {
    threshold: text(values.threshold),
    amount: text(values.amount),
    enable: values.enable === true,
    disable: values.disable === true,
    ref: text(values.ref),
    lines: text(values.lines),
  };
}
