/**
 * The one pure bounce classifier: SMTP reply (basic code, RFC 3463 enhanced status, text) and
 * DSN fields (Action, Status, Diagnostic-Code) → class, finer reason, hard/soft, status.
 * Order: a trusted enhanced status (X.2.2, X.7.26 …) decides first; else the reply-text rules
 * (config/bounce-rules.yaml) in order; else the enhanced status table; else `other`.
 * Exports classifyReply, extractReplyCodes, BounceVerdict, ReplyInput. No I/O (rules are passed
 * in or loaded once by defaultBounceRules()).
 */
import { classFromEnhancedStatus, defaultStatusFor, isHardClass, splitStatus, type BounceClass } from './classes.ts';
import { defaultBounceRules, matchRule, type BounceRule } from './rules.ts';
import { adjustForPhase, readBareUnknownUser, smtpPhase } from './phase.ts';

export interface ReplyInput {
  /** Basic SMTP reply code (550, 421 …), when known. */
  readonly code?: number | undefined;
  /** Enhanced status `X.Y.Z`, when known (DSN Status field or from the reply). */
  readonly enhanced?: string | undefined;
  /** Reply / diagnostic text. */
  readonly text?: string | undefined;
  /** DSN Action (`failed`, `delayed` …): a delay is never permanent. */
  readonly action?: string | undefined;
  /** Surrounding text (a session transcript) read only for the SMTP phase, never for the class. */
  readonly context?: string | undefined;
  /**
   * The reporting product relays the next hop's refusal without its SMTP stage (filtering
   * gateways): a bare "user unknown" then needs an X.1.x status or an RCPT-stage refusal to be hard.
   */
  readonly unknownUserNeedsEvidence?: boolean | undefined;
}

export interface BounceVerdict {
  readonly class: BounceClass;
  readonly reason: string;
  readonly hard: boolean;
  /** Enhanced status: the one given, else one derived from the class. */
  readonly status: string;
  readonly permanent: boolean;
  /** What decided the class: a trusted status code, a text rule, the status table, or nothing. */
  readonly source: 'status' | 'rule' | 'default';
}

const ENHANCED = /(?:^|[^\d.])([45])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)/;
const BASIC = /(?:^|[^\d.-])([45]\d\d)(?:[ -]|$)/;

/**
 * The first failure reply code and enhanced status found in a reply/diagnostic text. Success
 * codes (2xx, 2.x.x) are skipped: in a transcript they answer the commands before the failure.
 */
export function extractReplyCodes(text: string): { code: number | undefined; enhanced: string | undefined } {
  const enhanced = ENHANCED.exec(text);
  const basic = BASIC.exec(text);
  return {
    code: basic ? Number(basic[1]) : undefined,
    enhanced: enhanced ? `${enhanced[1]}.${Number(enhanced[2])}.${Number(enhanced[3])}` : undefined,
  };
}

function isPermanent(input: ReplyInput, enhanced: string | undefined): boolean {
  if (input.action && /^delayed|^relayed|^delivered/i.test(input.action.trim())) return false;
  const klass = splitStatus(enhanced)?.klass;
  if (klass) return klass === '5';
  if (input.code !== undefined) return input.code >= 500;
  return !(input.action && !/^failed/i.test(input.action.trim()));
}

function normaliseText(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Classifies one failed delivery. `rules` default to config/bounce-rules.yaml. */
export function classifyReply(input: ReplyInput, rules: readonly BounceRule[] = defaultBounceRules()): BounceVerdict {
  const text = normaliseText(input.text);
  const fromText = extractReplyCodes(text);
  const given = splitStatus(input.enhanced ?? '') ? input.enhanced : undefined;
  // A DSN Status of X.0.0 is a placeholder, and X.4.7 (expired) hides the last reply's own
  // code: the code in the reply text, when there is one, says more.
  const enhanced = given && !/^\d\.(0\.0|4\.7)$/.test(given) ? given : (fromText.enhanced ?? given);
  const code = input.code ?? fromText.code;
  const permanent = isPermanent({ ...input, code }, enhanced);
  const byStatus = classFromEnhancedStatus(enhanced);
  const rule = byStatus?.specific ? undefined : matchRule(rules, text);
  const decided = { class: rule?.class ?? byStatus?.class ?? 'other', reason: rule?.reason ?? byStatus?.reason ?? 'other' };
  const phase = smtpPhase(`${input.text ?? ''}\n${input.context ?? ''}`);
  const phased = byStatus?.specific ? decided : readBareUnknownUser(adjustForPhase(decided, phase), { phase, enhanced, needsEvidence: input.unknownUserNeedsEvidence === true });
  const cls: BounceClass = phased.class;
  const reason = phased.reason;
  const ruleHard = phased === decided ? rule?.hard : undefined;
  const hard = ruleHard ?? (reason === 'mailbox-disabled' ? false : isHardClass(cls, permanent));
  const status = enhanced && splitStatus(enhanced)?.klass !== '2' ? enhanced : defaultStatusFor(cls, permanent);
  const source = byStatus?.specific ? 'status' : rule ? 'rule' : byStatus ? 'status' : 'default';
  return { class: cls, reason, hard, status, permanent, source };
}
