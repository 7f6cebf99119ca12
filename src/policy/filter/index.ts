/**
 * The content gate's public face (issue 5): createContentGate() builds the CLOSED list of content
 * checks, in the one order they run — cheap, decisive checks first, the network checks last:
 * sender → tenant reputation → attachments → sensitive data → bulk → sectors → link reputation
 * (DNS blocklists) → spam (rspamd). Rules come from data files
 * (rules.ts). Returns undefined when `filter.enabled` is false. Also exports the pieces the
 * tests, the bench and `ferry policy check` use.
 */
import type { Config, FilterConfig } from '../../config/index.ts';
import { parseDuration, type OneClickPolicy } from '../../domain/index.ts';
import { createResolver, resolverOptionsFrom, type Resolver } from '../../platform/index.ts';
import type { StateStore } from '../../state/index.ts';
import { linkReputationCheck } from './link-reputation.ts';
import { SenderBlocks, senderCheck } from './sender.ts';
import { TenantReputation, tenantReputationCheck } from './tenant-reputation.ts';
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
export { blockSender, SENDER_BLOCK, SENDER_UNBLOCK } from './sender.ts';
export { TenantReputation, assessRates, type Assessment } from './tenant-reputation.ts';
export type { ContentCheck, Envelope, Finding, FilterPolicy, MessageView } from './types.ts';

export interface ContentGateOptions {
  readonly onFailure?: (check: string, error: unknown) => void;
  /** Rules already loaded (tests and the bench share one load). */
  readonly rules?: FilterRules;
  readonly clock?: () => number;
  /** The state store: tenant reputation reads outcome records from it (no store → that check is off). */
  readonly state?: StateStore;
  /** `dns:` config; the blocklist resolver uses it unless `linkReputation.servers` is set. */
  readonly dns?: Config['dns'];
  /** false → tenant reputation assesses but never suspends (`ferry policy check`). Default true. */
  readonly act?: boolean;
  /** Who gets Ferry's one-click List-Unsubscribe at delivery (oneClickPolicyOf(config.feedback)); absent → nobody. */
  readonly oneClick?: OneClickPolicy;
}

/** A sender block (AdminAction record) takes effect on every node within this time. */
const SENDER_BLOCK_REFRESH_MS = 2_000;

/** The network-facing parts the checks need, built once per gate. */
export interface CheckDependencies {
  readonly resolver?: Resolver;
  readonly reputation?: TenantReputation;
  readonly senderBlocks?: SenderBlocks;
  readonly oneClick?: OneClickPolicy;
}

/** The closed list of content checks, in the order they run. */
export function contentChecks(rules: FilterRules, repeats: RepeatCounter, dependencies: CheckDependencies = {}): ContentCheck[] {
  const { resolver, reputation, senderBlocks, oneClick } = dependencies;
  return [
    senderCheck(senderBlocks),
    ...(reputation ? [tenantReputationCheck(reputation)] : []),
    attachmentCheck(rules.attachments),
    sensitiveDataCheck(rules.health),
    bulkCheck(repeats, oneClick),
    sectorCheck(rules.sectors),
    ...(resolver ? [linkReputationCheck(resolver, (policy) => parseDuration(policy.linkReputation.budget))] : []),
    spamCheck(),
  ];
}

function blocklistResolver(config: FilterConfig, dns: Config['dns'] | undefined): Resolver | undefined {
  const settings = config.checks.linkReputation;
  if (!settings.enabled || settings.zones.length === 0) return undefined;
  const base = dns ? resolverOptionsFrom(dns) : { servers: [], timeoutMs: 1_000, negativeTtlMs: 300_000 };
  const budgetMs = parseDuration(settings.budget);
  return createResolver({ ...base, servers: settings.servers.length > 0 ? settings.servers : base.servers, timeoutMs: Math.min(base.timeoutMs, budgetMs) });
}

export function createContentGate(config: FilterConfig, options: ContentGateOptions = {}): ContentGate | undefined {
  if (!config.enabled) return undefined;
  const rules = options.rules ?? loadFilterRules(config.rulesDir);
  const resolver = blocklistResolver(config, options.dns);
  const reputation = options.state ? new TenantReputation(options.state, { act: options.act ?? true, ...(options.clock ? { clock: options.clock } : {}) }) : undefined;
  const senderBlocks = options.state ? new SenderBlocks(options.state, SENDER_BLOCK_REFRESH_MS) : undefined;
  const dependencies = { ...(resolver ? { resolver } : {}), ...(reputation ? { reputation } : {}), ...(senderBlocks ? { senderBlocks } : {}), ...(options.oneClick ? { oneClick: options.oneClick } : {}) };
  const repeats = new RepeatCounter(options.clock);
  const checks = contentChecks(rules, repeats, dependencies);
  return new ContentGate(checks, new PolicyResolver(config), {
    checkTimeoutMs: parseDuration(config.checkTimeout),
    rebuild: () => contentChecks(loadFilterRules(config.rulesDir), repeats, dependencies),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
  });
}
