/**
 * The `ferry` command (entry point; src/bin.js imports it). Parses argv, loads the config once
 * (--config FILE ← FERRY_* env), dispatches to the commands in src/cli/*, and maps failures to
 * exit codes: 0 ok, 1 a FerryError (printed with its code), 2 a usage error (printed with usage).
 * Exports runCli(argv) → exit code, for tests and the launcher; runs itself when executed.
 */
import { loadConfig } from './config/index.ts';
import { ErrorCodes, FerryError, isFerryError } from './domain/index.ts';
import { parseCliArgs, USAGE, usageError, type CliArgs } from './cli/args.ts';
import type { CommandContext } from './cli/context.ts';
import { createOutput } from './cli/output.ts';
type Command = (context: CommandContext) => Promise<void>;
type CommandModule = Record<string, unknown>;

/** A command whose module is imported only when that command runs: each CLI start stays light. */
function lazy(load: () => Promise<CommandModule>, name: string): Command {
  return async (context) => ((await load())[name] as Command)(context);
}

const serveModule = () => import('./cli/serve.ts');
const tenantModule = () => import('./cli/tenant.ts');
const keyModule = () => import('./cli/key.ts');
const domainModule = () => import('./cli/domain.ts');
const creditsModule = () => import('./cli/credits.ts');
const messageModule = () => import('./cli/message.ts');
const ipModule = () => import('./cli/ip.ts');
const poolModule = () => import('./cli/pool.ts');

/** Command words → handler; `serve` and `queue`/`message`/`outcomes` are one word, the rest two. */
const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['serve', lazy(serveModule, 'serve')],
  ['config print', lazy(serveModule, 'configPrint')],
  ['tenant add', lazy(tenantModule, 'tenantAdd')],
  ['tenant list', lazy(tenantModule, 'tenantList')],
  ['tenant show', lazy(tenantModule, 'tenantShow')],
  ['tenant suspend', lazy(tenantModule, 'tenantSuspend')],
  ['tenant close', lazy(tenantModule, 'tenantClose')],
  ['tenant resume', lazy(tenantModule, 'tenantResume')],
  ['tenant relay-networks', lazy(tenantModule, 'tenantRelayNetworks')],
  ['tenant update', lazy(() => import('./cli/tenant-update.ts'), 'tenantUpdate')],
  ['key add', lazy(keyModule, 'keyAdd')],
  ['key list', lazy(keyModule, 'keyList')],
  ['key revoke', lazy(keyModule, 'keyRevoke')],
  ['domain add', lazy(domainModule, 'domainAdd')],
  ['domain list', lazy(domainModule, 'domainList')],
  ['domain check', lazy(() => import('./cli/egress.ts'), 'domainCheck')],
  ['ip list', lazy(ipModule, 'ipList')],
  ['ip show', lazy(ipModule, 'ipShow')],
  ['ip add', lazy(ipModule, 'ipAdd')],
  ['ip lease', lazy(ipModule, 'ipLease')],
  ['ip end-lease', lazy(ipModule, 'ipEndLease')],
  ['ip renew', lazy(ipModule, 'ipRenew')],
  ['ip auto-renew', lazy(ipModule, 'ipAutoRenew')],
  ['ip warmup', lazy(ipModule, 'ipWarmup')],
  ['ip quarantine', lazy(ipModule, 'ipQuarantine')],
  ['ip release', lazy(ipModule, 'ipRelease')],
  ['ip retire', lazy(ipModule, 'ipRetire')],
  ['ip revoke', lazy(ipModule, 'ipRevoke')],
  ['pool list', lazy(poolModule, 'poolList')],
  ['pool set', lazy(poolModule, 'poolSet')],
  ['pool delete', lazy(poolModule, 'poolDelete')],
  ['domain rotate', lazy(() => import('./cli/domain-keys.ts'), 'domainRotate')],
  ['domain retire', lazy(() => import('./cli/domain-keys.ts'), 'domainRetire')],
  ['suppression', lazy(() => import('./cli/suppression.ts'), 'suppressionCommand')],
  ['case', lazy(() => import('./cli/complaint-case.ts'), 'caseCommand')],
  ['webhook', lazy(() => import('./cli/complaint-case.ts'), 'webhookCommand')],
  ['credits add', lazy(creditsModule, 'creditsAdd')],
  ['credits show', lazy(creditsModule, 'creditsShow')],
  ['tenant refill', lazy(creditsModule, 'tenantRefill')],
  ['queue', lazy(() => import('./cli/queue.ts'), 'queueCommand')],
  ['message', lazy(messageModule, 'messageCommand')],
  ['outcomes', lazy(messageModule, 'outcomesCommand')],
  ['admin token', lazy(() => import('./cli/admin-token.ts'), 'adminTokenCommand')],
  ['bounce parse', lazy(() => import('./cli/bounce.ts'), 'bounceParse')],
  ['policy check', lazy(() => import('./cli/policy.ts'), 'policyCheck')],
  ['policy block-sender', lazy(() => import('./cli/policy.ts'), 'policyBlockSender')],
  ['policy unblock-sender', lazy(() => import('./cli/policy.ts'), 'policyUnblockSender')],
]);

function findCommand(words: readonly string[]): { command: Command; rest: string[] } {
  const [first = '', second = ''] = words;
  const one = COMMANDS.get(first);
  if (one) return { command: one, rest: words.slice(1) };
  const two = COMMANDS.get(`${first} ${second}`);
  if (two) return { command: two, rest: words.slice(2) };
  if (first === '') throw usageError('no command given');
  throw usageError(`unknown command: ${words.slice(0, 2).join(' ')}`);
}

function reportError(error: unknown, json: boolean): number {
  const ferry = isFerryError(error) ? error : new FerryError(ErrorCodes.INTERNAL, (error as Error)?.message ?? String(error), { cause: error });
  const usage = ferry.code === ErrorCodes.USAGE;
  if (json) process.stderr.write(JSON.stringify({ error: { code: ferry.code, message: ferry.message } }) + '\n');
  else process.stderr.write(`ferry: ${ferry.code}: ${ferry.message}\n`);
  if (usage && !json) process.stderr.write('\n' + USAGE);
  return usage ? 2 : 1;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  let args: CliArgs | undefined;
  try {
    args = parseCliArgs(argv);
    if (args.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    const { command, rest } = findCommand(args.words);
    const config = loadConfig({ file: args.config });
    await command({ args, rest, config, out: createOutput(args.json) });
    return 0;
  } catch (error) {
    return reportError(error, args?.json ?? argv.includes('--json'));
  }
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2));
}
