/**
 * Messages and deliveries as the spool holds them.
 * A message is accepted once, with its envelope and body; it fans out into one Delivery per
 * recipient domain (the unit the scheduler claims, routes and retries). Each recipient of a
 * delivery has its own status, so one SMTP transaction can end with some RCPTs accepted and
 * some refused.
 */

export interface Envelope {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
}

export interface AcceptedMessage {
  readonly id: string;
  readonly tenantId: string;
  readonly envelope: Envelope;
  /** The `From:` header domain (DKIM signing domain). */
  readonly fromDomain: string;
  readonly receivedAt: number;
  readonly clientIp: string;
  readonly size: number;
  /** Full RFC 5322 message, CRLF line endings, with Received and Message-ID added. */
  readonly body: Buffer;
}

export type RecipientState = 'pending' | 'delivered' | 'bounced' | 'expired';

export interface RecipientStatus {
  readonly address: string;
  readonly state: RecipientState;
}

/** `held`: parked by an operator (admin hold); never claimed until released. */
export type DeliveryState = 'scheduled' | 'active' | 'done' | 'held';

export interface Delivery {
  /** `${messageId}:${index}`; one per recipient domain of the message. */
  readonly id: string;
  readonly messageId: string;
  readonly tenantId: string;
  readonly domain: string;
  readonly recipients: readonly RecipientStatus[];
  readonly state: DeliveryState;
  /** Attempts made so far (0 for fresh mail). */
  readonly attempts: number;
  /** When the next attempt is due (ms since epoch). */
  readonly dueAt: number;
  /** After this moment the delivery expires (receivedAt + queue lifetime). */
  readonly expiresAt: number;
  readonly receivedAt: number;
}

/** Lower-cased domain part of an address; '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}
