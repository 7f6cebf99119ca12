/**
 * Bounce and complaint processing (public surface of src/feedback/bounce): the pure reply
 * classifier for synchronous bounces (classifyReply), the inbound-email parser for DSNs,
 * non-standard bounces, ARF complaints and auto-replies (parseBounce), the rules loader, and
 * the VERP linkage helpers (verpCandidates / findVerpSubject).
 */
export { BOUNCE_CLASSES, isBounceClass, isHardClass, type BounceClass } from './classes.ts';
export { classifyReply, extractReplyCodes, type BounceVerdict, type ReplyInput } from './classify.ts';
export { compileBounceRules, defaultBounceRules, loadBounceRules, DEFAULT_RULES_PATH, DEFAULT_RULES_PATHS, type BounceRule } from './rules.ts';
export { parseBounce, type ParseOptions } from './parse.ts';
export { reloadDefaultBounceRules } from './rules.ts';
export { reloadDefaultBounceProducts } from './products.ts';
export { toContract, type BounceReport, type BounceRecipient, type BounceFormat } from './report.ts';
export { findVerpSubject, verpCandidates } from './verp.ts';
