/**
 * Outcome records: every state change of a message emits exactly one record of this closed union
 * (architecture §1.8). Metrics, webhooks, feedback, tests and the admin API read these records;
 * nobody scrapes logs. Records are plain JSON; `seq` is assigned by the state store on append.
 */

export interface RemoteReply {
  readonly code: number;
  readonly enhanced?: string;
  readonly text: string;
}

interface RecordBase {
  readonly at: number;
  readonly tenantId?: string;
  readonly messageId?: string;
  /** Set by the state store when appended; monotonically increasing per store. */
  readonly seq?: number;
}

export interface ReceptionRecord extends RecordBase {
  readonly type: 'Reception';
  readonly recipients: readonly string[];
  readonly mailFrom: string;
  readonly size: number;
  readonly clientIp: string;
  readonly reply: string;
}

export interface RejectionRecord extends RecordBase {
  readonly type: 'Rejection';
  readonly stage: 'connect' | 'auth' | 'mail' | 'rcpt' | 'data';
  readonly reason: string;
  readonly recipients: readonly string[];
  readonly mailFrom?: string;
  readonly size?: number;
  readonly clientIp: string;
  readonly reply: string;
}

interface AttemptBase extends RecordBase {
  readonly deliveryId: string;
  readonly recipients: readonly string[];
  readonly egressIp?: string;
  readonly mxHost?: string;
  readonly site?: string;
  readonly reply?: RemoteReply;
  readonly attempt: number;
  /** ms from claim to result. */
  readonly durationMs?: number;
}

export interface DeliveryRecord extends AttemptBase { readonly type: 'Delivery' }
export interface TransientFailureRecord extends AttemptBase { readonly type: 'TransientFailure'; readonly nextAttemptAt: number }
export interface BounceRecord extends AttemptBase { readonly type: 'Bounce'; readonly bounceClass?: string }
export interface ExpirationRecord extends AttemptBase { readonly type: 'Expiration' }

export interface SuppressedRecord extends RecordBase { readonly type: 'Suppressed'; readonly recipient: string; readonly reason: string }
export interface ComplaintRecord extends RecordBase { readonly type: 'Complaint'; readonly recipient: string; readonly source: string }
export interface UnsubscribeRecord extends RecordBase { readonly type: 'Unsubscribe'; readonly recipient: string }
export interface AdminActionRecord extends RecordBase {
  readonly type: 'AdminAction';
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly reason?: string;
}

export type OutcomeRecord =
  | ReceptionRecord
  | RejectionRecord
  | DeliveryRecord
  | TransientFailureRecord
  | BounceRecord
  | ExpirationRecord
  | SuppressedRecord
  | ComplaintRecord
  | UnsubscribeRecord
  | AdminActionRecord;

export type OutcomeType = OutcomeRecord['type'];
