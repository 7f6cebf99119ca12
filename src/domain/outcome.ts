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

/** One content-gate check's result (src/policy/filter), kept in the Reception/Rejection record. */
export interface ContentCheckResult {
  /** The check's stable name, e.g. `sectors`, `sensitive-data`, `spam`. */
  readonly check: string;
  /** pass · refuse / hold (decisive in enforce mode) · record (finding only logged) · error (timeout, failure). */
  readonly outcome: 'pass' | 'refuse' | 'hold' | 'record' | 'error';
  /** Stable reason code, e.g. `sector.betting`, `sensitive.pan`, `malware.double-extension`. */
  readonly code?: string;
  readonly score: number;
  /** Which terms / features fired; for the abuse desk, never sent to the client. */
  readonly detail?: string;
}

/** What the content gate decided for one message and why (every check that ran). */
export interface ContentGateRecord {
  readonly mode: 'enforce' | 'monitor';
  /** The id quoted to the client in a refusal (support reference). */
  readonly ref: string;
  readonly verdict: 'accept' | 'refuse' | 'hold' | 'tempfail' | 'monitor';
  readonly results: readonly ContentCheckResult[];
  readonly durationMs: number;
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
  /** The content gate's checks (absent when the gate is off). */
  readonly contentGate?: ContentGateRecord;
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
  /** The content gate's checks when it decided (or ran before) this refusal. */
  readonly contentGate?: ContentGateRecord;
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
export interface BounceRecord extends AttemptBase {
  readonly type: 'Bounce';
  readonly bounceClass?: string;
  /** The address is permanently bad (feeds suppression); absent on records made before classification. */
  readonly hard?: boolean;
  /** `smtp`: the remote refused during our transaction; `dsn`: a bounce message came back later (attempt 0). */
  readonly via?: 'smtp' | 'dsn';
}
export interface ExpirationRecord extends AttemptBase { readonly type: 'Expiration' }

export interface SuppressedRecord extends RecordBase {
  readonly type: 'Suppressed';
  readonly recipient: string;
  readonly reason: string;
  /** Tenant id or `*` (global); the record that caused it (`outcome:<seq>`, `admin:<actor>`). */
  readonly scope?: string;
  readonly source?: string;
}
export interface ComplaintRecord extends RecordBase { readonly type: 'Complaint'; readonly recipient: string; readonly source: string }
export interface UnsubscribeRecord extends RecordBase { readonly type: 'Unsubscribe'; readonly recipient: string; readonly method?: 'one-click' | 'page' | 'mailto' }
export interface AdminActionRecord extends RecordBase {
  readonly type: 'AdminAction';
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  readonly reason?: string;
}

/** A change of a sending IP (src/egress): lease, renewal (billing reads these), listing, quarantine, revocation. */
export interface IpEventRecord extends RecordBase {
  readonly type: 'IpEvent';
  readonly address: string;
  /** Same vocabulary as IpHistoryEntry.event. */
  readonly event: string;
  readonly detail?: string;
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
  | AdminActionRecord
  | IpEventRecord;

export type OutcomeType = OutcomeRecord['type'];
