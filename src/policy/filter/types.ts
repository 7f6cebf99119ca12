/**
 * Types of the content gate: the message view every check reads (parsed once, view.ts), the
 * ContentCheck interface (a closed list built in checks.ts), a check's Finding, and the per-tenant
 * FilterPolicy the gate resolves before it runs. A check answers a Finding and never throws for
 * an expected outcome; a throw or a timeout is the gate's business (451 4.3.0).
 */
import type { FilterAction, FilterConfig, FilterMode } from '../../config/index.ts';
import type { TenantContentPolicy } from '../../domain/index.ts';

export interface LinkView {
  readonly href: string;
  /** Lower-cased host name of an http(s) link ('' for mailto: and relative links). */
  readonly domain: string;
  readonly text: string;
}

export interface AttachmentView {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** The message as the checks see it: decoded, HTML stripped, links and attachments listed. */
export interface MessageView {
  readonly subject: string;
  /** text/plain parts plus the text of the HTML parts (scripts and styles dropped). */
  readonly text: string;
  /** Subject and text as normalised words (terms.ts), computed once for every term check. */
  readonly subjectWords: readonly string[];
  readonly textWords: readonly string[];
  /** true: Subject and text are all ASCII, so their words are their [a-z0-9] runs (absent: not known). */
  readonly asciiOnly?: boolean;
  readonly links: readonly LinkView[];
  readonly attachments: readonly AttachmentView[];
  /** Header fields by lower-case name (first value). */
  readonly headers: ReadonlyMap<string, string>;
  /** The raw body bytes (rspamd gets them as they came). */
  readonly raw: Buffer;
}

export interface Envelope {
  readonly tenantId: string;
  readonly mailFrom: string;
  readonly recipients: readonly string[];
  readonly clientIp: string;
  /** The authenticated key or relay network the mail came through (per-sender identity). */
  readonly sender?: string;
  /** The tenant record's own content policy, as read at MAIL FROM; over `filter.tenants[<id>]`. */
  readonly contentPolicy?: TenantContentPolicy;
}

export interface Finding {
  /** Stable code, e.g. `sector.betting`; `none` when nothing fired. */
  readonly code: string;
  readonly score: number;
  /** Whether the finding reaches the check's threshold (the policy's action then applies). */
  readonly positive: boolean;
  readonly detail?: string;
  /** The scanner's own decision overrides the policy action (rspamd soft reject → hold). */
  readonly action?: FilterAction;
  /** A finer refusal category than the check's own (a blocklist's `phishing`); never a rule's internals. */
  readonly category?: string;
}

export interface ContentCheck {
  /** Stable name, recorded with each result: `sectors`, `sensitive-data`, `attachments`, `bulk`, `spam`. */
  readonly name: CheckName;
  /** The refusal category quoted to the client (never a rule's internals). */
  readonly category: string;
  /**
   * Local checks answer synchronously (the gate then awaits and times nothing) and must not keep
   * `signal` (synchronous answers share one); network checks answer a promise and may use it.
   */
  check(view: MessageView, envelope: Envelope, policy: FilterPolicy, signal: AbortSignal): Finding | Promise<Finding>;
}

export type CheckName = 'sender' | 'tenant-reputation' | 'attachments' | 'sensitive-data' | 'bulk' | 'sectors' | 'link-reputation' | 'spam';

/** One check's resolved settings for one tenant. */
export interface CheckPolicy {
  readonly enabled: boolean;
  readonly action: FilterAction;
  readonly threshold: number;
}

/** The gate's settings for one tenant: defaults merged with the tenant's overrides. */
export interface FilterPolicy {
  readonly mode: FilterMode;
  readonly checks: Readonly<Record<CheckName, CheckPolicy>>;
  readonly bulk: { readonly recipients: number; readonly repeats: number; readonly windowMs: number };
  readonly spam: FilterConfig['checks']['spam'];
  readonly linkReputation: FilterConfig['checks']['linkReputation'];
  readonly tenantReputation: FilterConfig['checks']['tenantReputation'];
  /** This tenant's blocked sending identities (API key ids, X-Ferry-Sender values). */
  readonly blockedSenders: ReadonlySet<string>;
  readonly allow: {
    readonly senders: ReadonlySet<string>;
    readonly linkDomains: readonly string[];
    readonly ibans: ReadonlySet<string>;
    readonly sectors: ReadonlySet<string>;
  };
}
