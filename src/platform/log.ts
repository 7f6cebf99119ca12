/**
 * Structured logging (pino). One root logger per process, child loggers bound to
 * {sessionId, tenantId, messageId, path}. API keys, passwords and private keys are redacted.
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
  return destination ? pino(options, destination) : pino(options);
}
