/**
 * The feedback stage's public face for main.ts and tests: the feedback loop role, the bounce
 * classifier / parser (./bounce) and the List-Unsubscribe header builder delivery is given.
 * (Credits and auto-refill live in ./billing, wired separately.)
 */
export { startFeedbackLoop, unsubscribeAddress, type FeedbackDeps, type FeedbackLoop } from './loop.ts';
export { deliveryHooks, unsubscribeSecretOf } from './hooks.ts';
export { classifyReply, parseBounce, reloadDefaultBounceProducts, reloadDefaultBounceRules } from './bounce/index.ts';
export { createListUnsubscribe, makeUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe/index.ts';
export { verifyWebhook, signWebhook } from './webhooks/index.ts';
