/**
 * The one catalogue of Ferry's error codes (MTA_ERR_*). Every error the relay raises on purpose
 * is a FerryError with a stable code, an optional SMTP reply, and an optional `cause`.
 * Expected outcomes of policy checks are Verdicts, not errors; errors are for failures.
 */

export interface SmtpReply {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
}

export const ErrorCodes = {
  CONFIG_INVALID: 'MTA_ERR_CONFIG_INVALID',
  CONFIG_FILE: 'MTA_ERR_CONFIG_FILE',
  STATE_UNAVAILABLE: 'MTA_ERR_STATE_UNAVAILABLE',
  STATE_CONFLICT: 'MTA_ERR_STATE_CONFLICT',
  NOT_FOUND: 'MTA_ERR_NOT_FOUND',
  SPOOL_WRITE: 'MTA_ERR_SPOOL_WRITE',
  SPOOL_CLOSED: 'MTA_ERR_SPOOL_CLOSED',
  SECRET_KEY: 'MTA_ERR_SECRET_KEY',
  USAGE: 'MTA_ERR_USAGE',
  /** Bad input to an operation (domain name, CIDR, tenant name); the message names the field. */
  INVALID_INPUT: 'MTA_ERR_INVALID_INPUT',
  /** Admin API: no or bad bearer token (401); a token without the scope a route needs (403). */
  UNAUTHORIZED: 'MTA_ERR_UNAUTHORIZED',
  FORBIDDEN: 'MTA_ERR_FORBIDDEN',
  /** Admin API: too many failed authentications from this address (429). */
  RATE_LIMITED: 'MTA_ERR_RATE_LIMITED',
  /** The sending IP's state does not allow this change (e.g. leasing a quarantined IP). */
  IP_STATE: 'MTA_ERR_IP_STATE',
  /** An operator notice (IP revocation warning) has nowhere to go: the tenant has no contactEmail. */
  NO_CONTACT: 'MTA_ERR_NO_CONTACT',
  DNS: 'MTA_ERR_DNS',
  DELIVERY: 'MTA_ERR_DELIVERY',
  INTERNAL: 'MTA_ERR_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly reply: SmtpReply | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; reply?: SmtpReply } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.reply = options.reply;
  }
}

export function isFerryError(error: unknown, code?: ErrorCode): error is FerryError {
  return error instanceof FerryError && (code === undefined || error.code === code);
}
