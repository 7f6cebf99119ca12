/**
 * One-click unsubscribe (public surface of src/feedback/unsubscribe): signed tenant-scoped
 * tokens, the List-Unsubscribe header lines delivery adds before DKIM signing, and the public
 * Fastify endpoint (POST unsubscribes, GET confirms).
 */
export { makeUnsubscribeToken, verifyUnsubscribeToken, type UnsubscribeSubject } from './token.ts';
export { createListUnsubscribe, type ListUnsubscribeLines, type ListUnsubscribeSettings } from './headers.ts';
export { buildUnsubscribeApp, recordUnsubscribe, type UnsubscribeDeps } from './endpoint.ts';
