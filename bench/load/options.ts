/**
 * Command-line options of the bench load source (`node bench/load/source.ts --help`). Pure: parses
 * argv (+ BENCH_AUTH from the environment) into a frozen `LoadOptions`, or throws a `UsageError`.
 * Exports: `parseLoadOptions`, `parseSizeSpec`, `parseByteCount`, `USAGE`, `LoadOptions`.
 * Sizes are decimal (5k = 5000 bytes, like the peer scripts' SIZE=5000) and count the body only;
 * the source adds ~250 bytes of headers, as Postfix's smtp-source does.
 */
import { parseArgs } from 'node:util';

export type TlsMode = 'none' | 'starttls' | 'implicit';

export interface SizeChoice {
  readonly bytes: number;
  readonly weight: number;
}

export interface LoadOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMode;
  readonly servername: string;
  readonly auth: { readonly user: string; readonly pass: string } | null;
  readonly connections: number;
  readonly messages: number;
  readonly warmup: number;
  readonly rate: number;
  readonly timeoutMs: number;
  readonly sizes: readonly SizeChoice[];
  readonly recipients: number;
  readonly uniqueRecipients: boolean;
  readonly pipelining: boolean;
  readonly messagesPerConnection: number;
  readonly from: string;
  readonly recipientDomain: string;
  readonly ehlo: string;
  readonly runId: string;
  readonly acceptLog: string | null;
  readonly holdFile: string | null;
  readonly label: string;
  readonly seed: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `usage: node bench/load/source.ts [options]
  --target HOST:PORT       server (127.0.0.1:2587); loopback only
  --tls MODE               starttls (default) | implicit | none; certificates are not verified
  --auth USER:PASS         AUTH PLAIN once per connection (or env BENCH_AUTH=USER:PASS)
  --no-auth                never authenticate (default when neither is given)
  --connections N          parallel sessions (50)
  --messages M             timed messages in total (10000)
  --warmup W               untimed messages sent first (0)
  --rate R                 target msg/s over all sessions, 0 = as fast as possible (0)
  --timeout S              give up after S seconds (600)
  --size SPEC              body bytes: 5k | 1k,5k,50k,500k | 1k:70,5k:20,50k:9,500k:1 (5k)
  --rcpts K                recipients per message (1)
  --no-unique-rcpts        reuse rcpt1..K@domain instead of a unique recipient per message
  --no-pipelining          one command per round trip even if PIPELINING is advertised
  --msgs-per-conn K        reconnect (and re-AUTH) after K messages; 0 = reuse forever (0)
  --reconnect              same as --msgs-per-conn 1
  --from ADDR              envelope and From: header (sender@example.com)
  --rcpt-domain D          recipient domain (example.net)
  --ehlo NAME              EHLO name (client.bench.test)
  --servername NAME        TLS SNI (localhost)
  --run-id ID              tag in X-Bench-Id / Message-ID (random)
  --accept-log FILE        write "benchId<TAB>acceptedAtEpochMs<TAB>latencyMs" per accepted message
  --hold-after-warmup FILE after the warm-up, create FILE and wait (connections open) until it is
                           deleted, then start the timed phase (lets a script settle the relay first)
  --label L                copied into the JSON result
  --seed S                 size-choice PRNG seed (1)
Prints one JSON object on stdout; exit 1 if any timed message failed or was not sent.`;

const MULTIPLIERS: Record<string, number> = { '': 1, b: 1, k: 1000, m: 1000 * 1000 };

export function parseByteCount(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmb]?)\s*$/i.exec(text);
  const mult = m ? MULTIPLIERS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || mult === undefined) throw new UsageError(`bad size "${text}" (use e.g. 500, 5k, 1m)`);
  const bytes = Math.round(Number(m[1]) * mult);
  if (bytes < 1 || bytes > 100 * 1000 * 1000) throw new UsageError(`size out of range: "${text}"`);
  return bytes;
}

/** `5k` → [{5000,1}]; `1k,5k` → equal weights; `1k:70,5k:30` → weighted. */
export function parseSizeSpec(spec: string): SizeChoice[] {
  const parts = spec.split(',').filter((p) => p.trim() !== '');
  if (parts.length === 0) throw new UsageError('empty --size');
  return parts.map((part) => {
    const [size = '', weight] = part.split(':');
    const w = weight === undefined ? 1 : Number(weight);
    if (!Number.isFinite(w) || w <= 0) throw new UsageError(`bad weight in "${part}"`);
    return { bytes: parseByteCount(size), weight: w };
  });
}

function intOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}`);
  return n;
}

function parseTarget(target: string): { host: string; port: number } {
  const m = /^(127(?:\.\d{1,3}){3}|localhost):(\d{1,5})$/.exec(target);
  if (!m) throw new UsageError(`--target must be a loopback HOST:PORT (127.x.x.x or localhost), got "${target}"`);
  return { host: m[1] === 'localhost' ? '127.0.0.1' : (m[1] as string), port: Number(m[2]) };
}

/** `--no-auth` wins over `--auth` and BENCH_AUTH. */
function parseAuth(flag: string | undefined, env: string | undefined, noAuth: boolean): LoadOptions['auth'] {
  const value = flag ?? env;
  if (noAuth || value === undefined || value === '') return null;
  const i = value.indexOf(':');
  if (i <= 0) throw new UsageError('--auth / BENCH_AUTH must be USER:PASS');
  return { user: value.slice(0, i), pass: value.slice(i + 1) };
}

const SPEC = {
  target: { type: 'string' },
  tls: { type: 'string' },
  auth: { type: 'string' },
  connections: { type: 'string' },
  messages: { type: 'string' },
  warmup: { type: 'string' },
  rate: { type: 'string' },
  timeout: { type: 'string' },
  size: { type: 'string' },
  rcpts: { type: 'string' },
  'no-auth': { type: 'boolean' },
  'no-unique-rcpts': { type: 'boolean' },
  'no-pipelining': { type: 'boolean' },
  'msgs-per-conn': { type: 'string' },
  reconnect: { type: 'boolean' },
  from: { type: 'string' },
  'rcpt-domain': { type: 'string' },
  ehlo: { type: 'string' },
  servername: { type: 'string' },
  'run-id': { type: 'string' },
  'accept-log': { type: 'string' },
  'hold-after-warmup': { type: 'string' },
  label: { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export function parseLoadOptions(argv: readonly string[], env: Record<string, string | undefined> = {}): LoadOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: SPEC, strict: true }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError(USAGE);
  const tls = values.tls ?? 'starttls';
  if (tls !== 'none' && tls !== 'starttls' && tls !== 'implicit') throw new UsageError(`--tls must be none|starttls|implicit`);
  const rate = Number(values.rate ?? 0);
  if (!Number.isFinite(rate) || rate < 0) throw new UsageError('--rate must be >= 0');
  return Object.freeze({
    ...parseTarget(values.target ?? '127.0.0.1:2587'),
    tls,
    servername: values.servername ?? 'localhost',
    auth: parseAuth(values.auth, env.BENCH_AUTH, values['no-auth'] === true),
    connections: intOption(values.connections, 'connections', 50, 1),
    messages: intOption(values.messages, 'messages', 10000, 1),
    warmup: intOption(values.warmup, 'warmup', 0, 0),
    rate,
    timeoutMs: intOption(values.timeout, 'timeout', 600, 1) * 1000,
    sizes: Object.freeze(parseSizeSpec(values.size ?? '5k')),
    recipients: intOption(values.rcpts, 'rcpts', 1, 1),
    uniqueRecipients: values['no-unique-rcpts'] !== true,
    pipelining: values['no-pipelining'] !== true,
    messagesPerConnection: values.reconnect ? 1 : intOption(values['msgs-per-conn'], 'msgs-per-conn', 0, 0),
    from: values.from ?? 'sender@example.com',
    recipientDomain: values['rcpt-domain'] ?? 'example.net',
    ehlo: values.ehlo ?? 'client.bench.test',
    runId: values['run-id'] ?? Math.random().toString(36).slice(2, 10),
    acceptLog: values['accept-log'] ?? null,
    holdFile: values['hold-after-warmup'] ?? null,
    label: values.label ?? '',
    seed: intOption(values.seed, 'seed', 1, 0),
  });
}
