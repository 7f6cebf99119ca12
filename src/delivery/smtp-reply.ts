/**
 * SMTP reply text → RemoteReply (code, enhanced status, text), and the class of a reply:
 * 2xx accepted, 4xx transient, 5xx permanent. Exports parseSmtpReply, replyClass, localReply.
 * Pure. Multi-line replies keep the text of every line, joined by a space.
 */
import type { RemoteReply } from '../domain/index.ts';

export type ReplyClass = 'accepted' | 'transient' | 'permanent';

export function parseSmtpReply(raw: string): RemoteReply | undefined {
  const lines = raw.split(/\r?\n/).filter((line) => line.length > 0);
  const first = /^(\d{3})[ -]?(.*)$/.exec(lines[0] ?? '');
  if (!first) return undefined;
  const code = Number(first[1]);
  const texts = lines.map((line) => line.replace(/^\d{3}[ -]?/, ''));
  let text = texts.join(' ').trim();
  const enhanced = /^([245]\.\d{1,3}\.\d{1,3})\s*/.exec(text);
  if (enhanced) text = texts.map((line) => line.replace(/^[245]\.\d{1,3}\.\d{1,3}\s*/, '')).join(' ').trim();
  return enhanced ? { code, enhanced: enhanced[1] as string, text } : { code, text };
}

export function replyClass(reply: RemoteReply): ReplyClass {
  if (reply.code >= 200 && reply.code < 400) return 'accepted';
  if (reply.code >= 500) return 'permanent';
  return 'transient';
}

/** A reply Ferry makes up itself (connection failure, local timeout) to record why. */
export function localReply(code: number, enhanced: string, text: string): RemoteReply {
  return { code, enhanced, text };
}
