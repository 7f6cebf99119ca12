/**
 * Structured logging (pino). One root logger per process, child loggers bound to
 * {sessionId, tenantId, messageId, path}. API keys, passwords and private keys are redacted.
 * Lines go to stdout asynchronously: while one write is in flight the next lines queue and leave
 * together in the following write (under load one syscall carries many lines; a quiet relay still
 * writes each line at once). pino flushes what is queued when the process exits; a kill -9 can
 * lose the last lines of the log, never a record (outcome records live in the state store).
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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (destination) return pino(options, destination);
  return level === 'silent' ? pino(options) : pino(options, pino.destination({ dest: 1, sync: false }));
}
