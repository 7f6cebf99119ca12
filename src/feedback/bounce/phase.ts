/**
 * The SMTP phase a failure happened in, read from the diagnostic text ("after RCPT TO",
 * "in reply to end of DATA command", a `>>> MAIL From` / `<<< 550` transcript), and what the
 * phase says about a verdict: a refusal at MAIL FROM is about the sender, at HELO/connect about
 * the client, and a "user unknown" after DATA is a content/domain filter (the RCPT was accepted);
 * a bare "user unknown" that its status code contradicts, or that a stage-less relay reports
 * uncorroborated, is a filter too. Exports smtpPhase, adjustForPhase, readBareUnknownUser. Pure.
 */
import type { BounceClass } from './classes.ts';

export type SmtpPhase = 'connect' | 'helo' | 'mail' | 'rcpt' | 'data';

/** Phrases MTAs use to say which command failed (matched on whitespace-collapsed text). */
const PHASES: ReadonlyArray<readonly [SmtpPhase, RegExp]> = [
  ['mail', /(after|in reply to) MAIL FROM/i],
  ['rcpt', /(after|in reply to) RCPT TO|did not like our RCPT TO|does not like recipient|SMTP:RCPT\b|\[RCPT_TO\]/i],
  ['data', /(after|in reply to) (end of )?DATA|did not like our (final )?DATA|after the message (body|content) was sent/i],
  ['helo', /(after|in reply to) (EHLO|HELO)|my name was rejected/i],
  ['connect', /(after|in reply to) (the )?(initial connection|greeting|connection)|said in the greeting|refused to talk to me/i],
];

const COMMANDS: ReadonlyArray<readonly [SmtpPhase, RegExp]> = [
  ['mail', /^MAIL\b/i], ['rcpt', /^RCPT\b/i], ['data', /^DATA\b/i], ['helo', /^(EHLO|HELO)\b/i],
];

/**
 * A session transcript (`>>> RCPT To:<a>` / `<<< 550 …`): the command the first failing reply
 * answered. With PIPELINING, RCPT replies arrive after `>>> DATA`: when DATA is followed by
 * several replies, the first failure belongs to RCPT.
 */
function transcriptPhase(text: string): SmtpPhase | undefined {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  let command: SmtpPhase | undefined;
  let repliesSinceCommand = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('>>>')) {
      const sent = line.slice(3).trim();
      command = COMMANDS.find(([, pattern]) => pattern.test(sent))?.[0];
      repliesSinceCommand = 0;
    } else if (line.startsWith('<<<') && command) {
      repliesSinceCommand++;
      if (!/^<<<\s*[45]\d\d/.test(line)) continue;
      if (command !== 'data' || repliesSinceCommand > 1) return command;
      const nextReply = lines.slice(i + 1).find((l) => l.startsWith('<<<') || l.startsWith('>>>'));
      return nextReply?.startsWith('<<<') ? 'rcpt' : 'data';
    }
  }
  return undefined;
}

/** The earliest phase named in the text, else the one a transcript shows. */
export function smtpPhase(text: string): SmtpPhase | undefined {
  const flat = text.replace(/\s+/g, ' ');
  let best: { phase: SmtpPhase; index: number } | undefined;
  for (const [phase, pattern] of PHASES) {
    const index = flat.search(pattern);
    if (index >= 0 && (best === undefined || index < best.index)) best = { phase, index };
  }
  return best?.phase ?? transcriptPhase(text);
}

export interface PhasedVerdict {
  readonly class: BounceClass;
  readonly reason: string;
}

/** Address-level classes that cannot be right when the refusal came before or after RCPT. */
const ADDRESS_LEVEL: ReadonlySet<BounceClass> = new Set(['user-unknown', 'mailbox-full', 'domain-unknown', 'other']);

export interface UnknownUserContext {
  readonly phase: SmtpPhase | undefined;
  readonly enhanced: string | undefined;
  /** The reporting product relays refusals without their SMTP stage (see ReplyInput). */
  readonly needsEvidence: boolean;
}

/**
 * A bare "user unknown" is not the address-level verdict its words say when the status code
 * says otherwise and the refusal did not come at RCPT: under X.2.0 / X.2.1 ("mailbox disabled,
 * not accepting messages") or a policy X.7.x code, the mailbox exists and refused this message —
 * what recipient-side filters answer (Japanese carriers, per-user filters). With `needsEvidence`
 * it takes an X.1.x status or an RCPT-stage refusal to stay hard. Otherwise `filtered`, soft,
 * as the reference parser reads them.
 */
export function readBareUnknownUser(verdict: PhasedVerdict, context: UnknownUserContext): PhasedVerdict {
  if (verdict.class !== 'user-unknown' || verdict.reason !== 'user-unknown' || context.phase === 'rcpt') return verdict;
  const status = context.enhanced ?? '';
  const contradicted = /^[45]\.(2\.[01]|7\.\d+)$/.test(status);
  const uncorroborated = context.needsEvidence && !/^[45]\.1\.\d+$/.test(status);
  return contradicted || uncorroborated ? { class: 'policy-block', reason: 'filtered' } : verdict;
}

export function adjustForPhase(verdict: PhasedVerdict, phase: SmtpPhase | undefined): PhasedVerdict {
  if (phase === 'mail' && (ADDRESS_LEVEL.has(verdict.class) || verdict.class === 'expired') && verdict.class !== 'other') {
    return { class: 'policy-block', reason: 'rejected' };
  }
  if ((phase === 'helo' || phase === 'connect') && ADDRESS_LEVEL.has(verdict.class)) return { class: 'policy-block', reason: 'blocked' };
  // Only the bare "user unknown" family; rules naming a definite account verdict use other reasons.
  if (phase === 'data' && verdict.class === 'user-unknown' && verdict.reason === 'user-unknown') return { class: 'policy-block', reason: 'filtered' };
  return verdict;
}
