/**
 * Command-line parsing for `ferry` (node:util parseArgs): global options, the command words,
 * the usage text. Exports parseCliArgs, USAGE and usageError (MTA_ERR_USAGE → exit code 2).
 * Options are parsed strictly: an unknown option is a usage error, not silently ignored.
 */
import { parseArgs } from 'node:util';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import { OPERATOR_OPTIONS, OPERATOR_USAGE, operatorOptionsFrom, type OperatorOptions } from './operator-args.ts';
import { CREDIT_OPTIONS, CREDIT_USAGE, creditOptionsFrom, type CreditOptions } from './credit-args.ts';
import { FEEDBACK_OPTIONS, FEEDBACK_USAGE, feedbackOptionsFrom, type FeedbackOptions } from './feedback-args.ts';
import { IP_OPTIONS, IP_USAGE, ipOptionsFrom, type IpOptions } from './ip-args.ts';
import { TENANT_OPTIONS, TENANT_USAGE, tenantUpdateOptionsFrom, type TenantUpdateOptions } from './tenant-args.ts';

export const USAGE = `Usage: ferry [--config FILE] [--json] <command>

Commands:
  serve                                 run the relay (SIGTERM/SIGINT stop it gracefully)
  config print                          the merged configuration, secrets masked
  tenant add NAME                       create a tenant, print its id
  tenant list                           all tenants
  tenant show T                         one tenant with its keys and domains
  tenant suspend T --reason R           refuse its mail (550 5.7.1) until resumed
  tenant close T --reason R             close the account: its mail is refused (550 5.7.1) for good
  tenant resume T                       accept its mail again
  tenant relay-networks T CIDR...       networks allowed to send as T without AUTH (--clear: none)
${TENANT_USAGE}  key add T                             issue an API key (shown once)
  key list T                            the tenant's keys (ids, never the keys)
  key revoke KEYID                      revoke a key at once
  domain add T DOMAIN [--no-dkim]       add a sending domain, generate DKIM keys, print DNS records
                                        (--no-dkim: no keys; its mail is relayed unsigned, e.g. signed by the app)
  domain list T                         the tenant's sending domains
  domain check DOMAIN                   live lookup of its DKIM, SPF, DMARC and return-path records
  (tenant, key, domain and credits commands also take --api URL [--token T]: through a running relay's admin API)

${OPERATOR_USAGE}
${CREDIT_USAGE}
${FEEDBACK_USAGE}
${IP_USAGE}
Parser and content policy:
  bounce parse                          one raw email on stdin → the bounce/complaint parser's verdict as JSON
  policy check --tenant T               one raw message on stdin → the content gate's verdict as JSON (sends nothing)
  policy block-sender --tenant T ID     refuse mail from one API key id / X-Ferry-Sender (550 5.7.1; --reason R)
  policy unblock-sender --tenant T ID   lift that block

T is a tenant id (tn_...) or name. Options:
  -c, --config FILE   override file (else FERRY_CONFIG); FERRY_* env variables override both
      --json          machine-readable output
  -h, --help          this text
`;

export interface CliArgs {
  readonly words: readonly string[];
  readonly config: string | undefined;
  readonly json: boolean;
  readonly help: boolean;
  readonly reason: string | undefined;
  readonly clear: boolean;
  /** `domain add --no-dkim`: the domain gets no signing keys. */
  readonly noDkim: boolean;
  /** Operator options (queue, message, outcomes, admin token); see src/cli/operator-args.ts. */
  readonly operator: OperatorOptions;
  /** Options of the credit commands; see src/cli/credit-args.ts. */
  readonly credit: CreditOptions;
  /** Options of the suppression / case / webhook / DKIM rotation commands; see src/cli/feedback-args.ts. */
  readonly feedback: FeedbackOptions;
  /** Options of the ip / pool commands; see src/cli/ip-args.ts. */
  readonly ip: IpOptions;
  /** Options of `tenant update`; see src/cli/tenant-args.ts. */
  readonly tenantUpdate: TenantUpdateOptions;
}

export function usageError(message: string): FerryError {
  return new FerryError(ErrorCodes.USAGE, message);
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  try {
    const { values: { member, ...values }, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        reason: { type: 'string' },
        clear: { type: 'boolean', default: false },
        'no-dkim': { type: 'boolean', default: false },
        ...OPERATOR_OPTIONS,
        ...CREDIT_OPTIONS,
        ...FEEDBACK_OPTIONS,
        ...IP_OPTIONS,
        ...TENANT_OPTIONS,
      },
    });
    return {
      words: positionals,
      config: values.config,
      json: values.json ?? false,
      help: values.help ?? false,
      reason: values.reason,
      clear: values.clear ?? false,
      noDkim: values['no-dkim'] ?? false,
      operator: operatorOptionsFrom(values),
      credit: creditOptionsFrom(values),
      feedback: feedbackOptionsFrom(values),
      ip: ipOptionsFrom(values, member),
      tenantUpdate: tenantUpdateOptionsFrom(values),
    };
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

/** The positional arguments after the command words, exactly `count` of them. */
export function expectArgs(args: readonly string[], names: readonly string[], command: string): string[] {
  if (args.length !== names.length) {
    throw usageError(`${command} expects ${names.length === 0 ? 'no arguments' : names.join(' ')} (got ${args.length} argument(s))`);
  }
  return [...args];
}
