/**
 * The spam check: rspamd's normal worker over HTTP (undici, POST /checkv2 with the raw message
 * and the envelope as headers). rspamd's action maps to the gate: `reject` → refuse, `soft
 * reject` → hold (451 4.7.1), `add header` / `rewrite subject` → filter.checks.spam.onAddHeader,
 * anything else passes; `refuseScore` > 0 refuses at that score whatever the action. Scanner
 * down or slow: throws (the gate answers 451 4.3.0) unless onUnavailable is `accept`, then the
 * failure is recorded as `spam.unavailable`. Exports spamCheck, scanWithRspamd, RspamdResult.
 */
import { Agent, request } from 'undici';
import { ErrorCodes, FerryError, parseDuration } from '../../domain/index.ts';
import type { ContentCheck, Envelope, Finding, FilterPolicy, MessageView } from './types.ts';

export interface RspamdResult {
  readonly action: string;
  readonly score: number;
  readonly requiredScore: number;
  /** Symbols that fired, highest score first. */
  readonly symbols: readonly { readonly name: string; readonly score: number }[];
}

/** One keep-alive agent for every scan (rspamd answers on a few long-lived connections). */
const agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });

export async function scanWithRspamd(url: string, raw: Buffer, envelope: Envelope, signal: AbortSignal): Promise<RspamdResult> {
  const headers: Record<string, string | string[]> = { IP: envelope.clientIp, User: envelope.tenantId, 'Content-Type': 'message/rfc822' };
  if (envelope.mailFrom) headers.From = envelope.mailFrom;
  if (envelope.recipients.length) headers.Rcpt = [...envelope.recipients];
  const response = await request(new URL('/checkv2', url), { method: 'POST', body: raw, headers, signal, dispatcher: agent });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new FerryError(ErrorCodes.INTERNAL, `rspamd answered ${response.statusCode}: ${text.slice(0, 200)}`);
  const json = JSON.parse(text) as { action?: string; score?: number; required_score?: number; symbols?: Record<string, { score?: number }> };
  if (typeof json.action !== 'string') throw new FerryError(ErrorCodes.INTERNAL, `rspamd answer without an action: ${text.slice(0, 200)}`);
  const symbols = Object.entries(json.symbols ?? {})
    .map(([name, s]) => ({ name, score: s.score ?? 0 }))
    .sort((a, b) => b.score - a.score);
  return { action: json.action, score: json.score ?? 0, requiredScore: json.required_score ?? 0, symbols };
}

function describe(result: RspamdResult): string {
  const top = result.symbols.slice(0, 6).map((s) => `${s.name}(${Math.round(s.score * 100) / 100})`);
  return `rspamd ${result.action}, score ${Math.round(result.score * 100) / 100}/${result.requiredScore}; ${top.join(' ')}`;
}

export function findingOf(result: RspamdResult, policy: FilterPolicy): Finding {
  const detail = describe(result);
  const score = Math.round(result.score * 100) / 100;
  const { refuseScore, onAddHeader } = policy.spam;
  if (result.action === 'reject' || (refuseScore > 0 && result.score >= refuseScore)) return { code: 'spam.reject', score, positive: true, detail };
  if (result.action === 'soft reject') return { code: 'spam.soft-reject', score, positive: true, action: 'hold', detail };
  if (result.action === 'add header' || result.action === 'rewrite subject') {
    return { code: 'spam.add-header', score, positive: true, action: onAddHeader, detail };
  }
  return { code: 'none', score, positive: false, detail };
}

export function spamCheck(): ContentCheck {
  return {
    name: 'spam',
    category: 'spam',
    async check(view: MessageView, envelope: Envelope, policy: FilterPolicy, signal: AbortSignal): Promise<Finding> {
      const timeout = AbortSignal.timeout(parseDuration(policy.spam.timeout));
      try {
        return findingOf(await scanWithRspamd(policy.spam.url, view.raw, envelope, AbortSignal.any([signal, timeout])), policy);
      } catch (error) {
        if (policy.spam.onUnavailable === 'accept') {
          return { code: 'spam.unavailable', score: 0, positive: false, detail: `scanner unavailable, passed per onUnavailable=accept: ${(error as Error).message}` };
        }
        throw new FerryError(ErrorCodes.INTERNAL, `rspamd scan failed: ${(error as Error).message}`, { cause: error });
      }
    },
  };
}
