/**
 * The content gate's public face (issue 5): createContentGate() builds the CLOSED list of content
 * checks, in the one order they run — cheap, decisive checks first, the network scanner last:
 * attachments → sensitive data → bulk → sectors → spam (rspamd). Rules come from data files
 * (rules.ts). Returns undefined when `filter.enabled` is false. Also exports the pieces the
 * tests, the bench and `ferry policy check` use.
 */
import type { FilterConfig } from '../../config/index.ts';
import { parseDuration } from '../../domain/index.ts';
import { attachmentCheck } from './attachments.ts';
import { bulkCheck, RepeatCounter } from './bulk.ts';
import { ContentGate } from './gate.ts';
import { PolicyResolver } from './policy.ts';
import { spamCheck } from './rspamd.ts';
import { loadFilterRules, type FilterRules } from './rules.ts';
import { sectorCheck } from './sectors.ts';
import { sensitiveDataCheck } from './sensitive.ts';
import type { ContentCheck } from './types.ts';

export { ContentGate, type GateOutcome } from './gate.ts';
export { PolicyResolver, resolvePolicy } from './policy.ts';
export { loadFilterRules, DEFAULT_RULES_DIR, type FilterRules } from './rules.ts';
export { buildMessageView } from './view.ts';
export { scanWithRspamd } from './rspamd.ts';
export type { ContentCheck, Envelope, Finding, FilterPolicy, MessageView } from './types.ts';

export interface ContentGateOptions {
  readonly onFailure?: (check: string, error: unknown) => void;
  /** Rules already loaded (tests and the bench share one load). */
  readonly rules?: FilterRules;
  readonly clock?: () => number;
}

/** The closed list of content checks, in the order they run. */
export function contentChecks(rules: FilterRules, repeats: RepeatCounter): ContentCheck[] {
  return [attachmentCheck(rules.attachments), sensitiveDataCheck(rules.health), bulkCheck(repeats), sectorCheck(rules.sectors), spamCheck()];
}

export function createContentGate(config: FilterConfig, options: ContentGateOptions = {}): ContentGate | undefined {
  if (!config.enabled) return undefined;
  const rules = options.rules ?? loadFilterRules(config.rulesDir);
  return new ContentGate(contentChecks(rules, new RepeatCounter(options.clock)), new PolicyResolver(config), {
    checkTimeoutMs: parseDuration(config.checkTimeout),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  });
}
