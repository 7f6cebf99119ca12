/**
 * Structured logging (pino). One root logger per process, child loggers bound to
 * {sessionId, tenantId, messageId, path}. API keys, passwords and private keys are redacted.
 * Lines go to stdout in blocks: buffered until 4 KiB or FLUSH_MS, written asynchronously (under
 * load one syscall carries ~15 lines instead of one each: ~7 µs of main thread per line, profiled).
 * pino flushes the buffer when the process exits; a kill -9 can lose the last FLUSH_MS of log
 * lines, never a record (outcome records live in the state store).
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  'apiKey',
  'key',
  '*.password',
  '*.apiKey',
  '*.privateKeyPem',
  'auth.password',
  'secrets.masterKey',
  'config.secrets.masterKey',
];

/** The longest a line waits in the buffer. */
const FLUSH_MS = 250;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  if (level === 'silent') return pino(options);
  const stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  setInterval(() => stdout.flush(), FLUSH_MS).unref();
  return pino(options, stdout);
}
