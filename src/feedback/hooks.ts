/**
 * What delivery is given by the feedback stage (main.ts wires it; delivery never imports
 * feedback): the classifier for synchronous bounces and the List-Unsubscribe header builder.
 * Exports deliveryHooks and unsubscribeSecretOf (derived from the master key, never the key).
 */
import { createHmac } from 'node:crypto';
import type { Config } from '../config/index.ts';
import { oneClickPolicyOf, type RemoteReply } from '../domain/index.ts';
import { classifyReply } from './bounce/index.ts';
import { createListUnsubscribe } from './unsubscribe/index.ts';
import { unsubscribeAddress } from './loop.ts';

export function unsubscribeSecretOf(masterKey: Buffer): Buffer {
  return createHmac('sha256', masterKey).update('ferry/unsubscribe/v1').digest();
}

export function deliveryHooks(config: Config, unsubscribeSecret: Buffer) {
  const u = config.feedback.unsubscribe;
  const classifyBounce = (reply: RemoteReply) => {
    const verdict = classifyReply({ code: reply.code, enhanced: reply.enhanced, text: reply.text });
    return { bounceClass: verdict.class, hard: verdict.hard };
  };
  if (!config.feedback.enabled || !u.enabled) return { classifyBounce };
  const extraHeaders = createListUnsubscribe({ baseUrl: u.baseUrl, mailto: unsubscribeAddress(config), policy: oneClickPolicyOf(config.feedback), secret: unsubscribeSecret });
  return { classifyBounce, extraHeaders };
}
