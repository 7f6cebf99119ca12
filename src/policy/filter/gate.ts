/**
 * The content gate: parses the message once, runs the closed list of content checks in order
 * under the tenant's policy, and answers a Verdict plus the ContentGateRecord that goes into the
 * Reception / Rejection record. Enforce mode stops at the first decisive finding (refuse → 550
 * 5.7.1, hold → 451 4.7.1); monitor mode runs every check and refuses nothing. A check that
 * throws or overruns `filter.checkTimeout` — or a message that cannot be parsed — is 451 4.3.0 in
 * enforce mode, never a silent pass or refusal. A check (or parse) that answers synchronously
 * is taken as it is: no promise, race or timer per local check. Exports ContentGate, GateOutcome.
 */
import { ACCEPT, pooledRandomBytes, refuse, tempfail, type ContentCheckResult, type ContentGateRecord, type Verdict } from '../../domain/index.ts';
import { awaitWithin } from '../budget.ts';
import type { PolicyResolver } from './policy.ts';
import type { ContentCheck, Envelope, Finding, FilterPolicy, MessageView } from './types.ts';
import { buildMessageView } from './view.ts';

export interface GateOutcome {
  readonly verdict: Verdict;
  readonly record: ContentGateRecord;
}

export interface GateOptions {
  readonly checkTimeoutMs: number;
  /** Told about a failed check (the caller logs it with its session context). */
  readonly onFailure?: (check: string, error: unknown) => void;
  readonly parse?: (raw: Buffer) => MessageView | Promise<MessageView>;
  /** Builds the checks again from the rule files on disk (SIGHUP); throws when they are invalid. */
  readonly rebuild?: () => readonly ContentCheck[];
}

/** The character codes of the upper-case hex digits. */
const HEX = Array.from('0123456789ABCDEF', (digit) => digit.charCodeAt(0));

/** The support reference quoted in a refusal: short, unguessable, searchable in records. */
function newRef(): string {
  const bytes = pooledRandomBytes(6);
  const codes = [67, 71, 45]; // "CG-"
  for (let i = 0; i < bytes.length; i++) codes.push(HEX[(bytes[i] ?? 0) >> 4] ?? 48, HEX[(bytes[i] ?? 0) & 15] ?? 48);
  return String.fromCharCode(...codes);
}

function resultOf(check: ContentCheck, finding: Finding, policy: FilterPolicy): ContentCheckResult {
  const outcome = finding.positive ? (finding.action ?? policy.checks[check.name].action) : 'pass';
  return { check: check.name, outcome, score: finding.score, ...(finding.code === 'none' ? {} : { code: finding.code }), ...(finding.detail ? { detail: finding.detail } : {}) };
}

function decisiveVerdict(result: ContentCheckResult, category: string, ref: string): Verdict {
  if (result.outcome === 'hold') return tempfail('content.held', `Message held for content review (${category}), support reference ${ref}`);
  return refuse('content.refused', `Message refused by content policy: ${category}`, ref);
}

export class ContentGate {
  #checks: readonly ContentCheck[];
  readonly #policies: PolicyResolver;
  readonly #options: GateOptions;
  /** An abort controller that no unfinished work holds: every synchronous answer shares it. */
  #idle = new AbortController();

  constructor(checks: readonly ContentCheck[], policies: PolicyResolver, options: GateOptions) {
    this.#checks = checks;
    this.#policies = policies;
    this.#options = options;
  }

  /**
   * Reloads the rule data files: the new checks are built (and validated) first, then swapped in
   * whole, so messages being evaluated finish on the old rules and an invalid file changes nothing.
   */
  reloadRules(): void {
    if (this.#options.rebuild) this.#checks = this.#options.rebuild();
  }

  /**
   * `work`'s answer: as it is when synchronous (every local check — no promise, race or timer);
   * else under awaitWithin (../budget.ts), and the controller it was given stays with it (the next work gets a
   * fresh one), so a timeout aborts only the work that overran.
   */
  #answer<T>(work: (signal: AbortSignal) => T | Promise<T>, what: string): T | Promise<T> {
    const started = performance.now();
    const controller = this.#idle;
    const value = work(controller.signal);
    if (!(value instanceof Promise)) return value;
    this.#idle = new AbortController();
    return awaitWithin(value, this.#options.checkTimeoutMs, what, controller, started);
  }

  get checkNames(): string[] {
    return this.#checks.map((c) => c.name);
  }

  /** `onFailure` (else the gate's own) hears about a failed parse or check, to log it in context. */
  async evaluate(raw: Buffer, envelope: Envelope, onFailure = this.#options.onFailure): Promise<GateOutcome> {
    const started = performance.now();
    const policy = this.#policies.forTenant(envelope.tenantId, envelope.contentPolicy);
    const ref = newRef();
    const results: ContentCheckResult[] = [];
    const finish = (verdict: Verdict, decided: ContentGateRecord['verdict']): GateOutcome => ({
      verdict,
      record: { mode: policy.mode, ref, verdict: decided, results, durationMs: Math.round((performance.now() - started) * 100) / 100 },
    });
    if (envelope.mailFrom && policy.allow.senders.size > 0 && policy.allow.senders.has(envelope.mailFrom.toLowerCase())) return finish(ACCEPT, 'accept');
    const monitor = policy.mode === 'monitor';
    let view: MessageView;
    try {
      const parsed = this.#answer(() => (this.#options.parse ?? buildMessageView)(raw), 'message parse');
      view = parsed instanceof Promise ? await parsed : parsed;
    } catch (error) {
      onFailure?.('parse', error);
      results.push({ check: 'parse', outcome: 'error', score: 0, detail: (error as Error).message });
      return monitor ? finish(ACCEPT, 'monitor') : finish(tempfail('internal.failure'), 'tempfail');
    }
    let wouldRefuse = false;
    for (const check of this.#checks) {
      if (!policy.checks[check.name].enabled) continue;
      let result: ContentCheckResult;
      let category: string;
      try {
        const answer = this.#answer((signal) => check.check(view, envelope, policy, signal), `check ${check.name}`);
        const finding = answer instanceof Promise ? await answer : answer;
        result = resultOf(check, finding, policy);
        category = finding.category ?? check.category;
      } catch (error) {
        onFailure?.(check.name, error);
        results.push({ check: check.name, outcome: 'error', score: 0, detail: (error as Error).message.slice(0, 300) });
        if (monitor) continue;
        return finish(tempfail('internal.failure'), 'tempfail');
      }
      results.push(result);
      if (result.outcome !== 'refuse' && result.outcome !== 'hold') continue;
      wouldRefuse = true;
      if (!monitor) return finish(decisiveVerdict(result, category, ref), result.outcome);
    }
    return finish(ACCEPT, monitor && wouldRefuse ? 'monitor' : 'accept');
  }
}
