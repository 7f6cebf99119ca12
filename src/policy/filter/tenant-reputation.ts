/**
 * Tenant reputation: rolling hard-bounce and complaint rates per tenant, from the state store's
 * per-tenant hourly volume counters over `window` (kept where outcome records are appended, so
 * no record is re-read; hourly resolution, at most 31 days), judged against the warn / suspend
 * thresholds with minimum volumes. Exports TenantReputation, assessRates, tenantReputationCheck.
 * Invariants: a rate under its minimum volume is never acted on; a suspension sets the tenant's
 * status with an admin-visible reason AND appends exactly one AdminAction record; a dry run
 * (`act: false`, `ferry policy check`) changes nothing. Denominator: recipients sent = max(received
 * recipients, delivered + bounced recipients) in the window.
 */
import { parseDuration, type OutcomeRecord } from '../../domain/index.ts';
import type { StateStore, TenantVolumes } from '../../state/index.ts';
import type { ContentCheck, FilterPolicy, Finding } from './types.ts';

type Settings = FilterPolicy['tenantReputation'];

export interface Assessment {
  readonly level: 'ok' | 'warn' | 'suspend';
  readonly sent: number;
  readonly bounceRate: number;
  readonly complaintRate: number;
  readonly reason?: string;
}

const percent = (rate: number) => `${(rate * 100).toFixed(2)} %`;

/** Pure: the level a tenant's volumes reach under the settings. */
export function assessRates(volumes: TenantVolumes, settings: Settings): Assessment {
  const sent = Math.max(volumes.received, volumes.attempted);
  const bounceRate = sent > 0 ? volumes.hardBounces / sent : 0;
  const complaintRate = sent > 0 ? volumes.complaints / sent : 0;
  const bounceCounts = sent >= settings.minimumSent.bounce;
  const complaintCounts = sent >= settings.minimumSent.complaint;
  const facts = `bounce rate ${percent(bounceRate)}, complaint rate ${percent(complaintRate)} over ${sent} recipients in ${settings.window}`;
  const base = { sent, bounceRate, complaintRate };
  if ((bounceCounts && bounceRate >= settings.suspend.bounce) || (complaintCounts && complaintRate >= settings.suspend.complaint)) {
    return { ...base, level: 'suspend', reason: `automatic suspension: ${facts} (limits ${percent(settings.suspend.bounce)} / ${percent(settings.suspend.complaint)})` };
  }
  if ((bounceCounts && bounceRate >= settings.warn.bounce) || (complaintCounts && complaintRate >= settings.warn.complaint)) {
    return { ...base, level: 'warn', reason: `reputation warning: ${facts}` };
  }
  return { ...base, level: 'ok' };
}

interface TenantWindow {
  evaluatedAt: number;
  last?: Assessment;
  /** The evaluation under way: concurrent messages share it. */
  pending?: Promise<Assessment>;
}

export interface ReputationOptions {
  /** false: assess only (dry run) — no status change, no record. */
  readonly act: boolean;
  readonly clock?: () => number;
}

export class TenantReputation {
  readonly #state: StateStore;
  readonly #options: ReputationOptions;
  readonly #tenants = new Map<string, TenantWindow>();

  constructor(state: StateStore, options: ReputationOptions) {
    this.#state = state;
    this.#options = options;
  }

  /** The tenant's assessment, recomputed at most every `evaluateEvery`; acts on a new suspend/warn level. */
  evaluate(tenantId: string, settings: Settings): Assessment | Promise<Assessment> {
    const now = (this.#options.clock ?? Date.now)();
    const window = this.#tenants.get(tenantId) ?? { evaluatedAt: -Infinity };
    this.#tenants.set(tenantId, window);
    if (window.last && now - window.evaluatedAt < parseDuration(settings.evaluateEvery)) return window.last;
    window.pending ??= this.#refresh(tenantId, window, settings, now).finally(() => (window.pending = undefined));
    return window.pending;
  }

  async #refresh(tenantId: string, window: TenantWindow, settings: Settings, now: number): Promise<Assessment> {
    const volumes = await this.#state.tenantVolumes(tenantId, now - parseDuration(settings.window));
    const assessment = assessRates(volumes, settings);
    const previous = window.last?.level ?? 'ok';
    window.last = assessment;
    window.evaluatedAt = now;
    if (this.#options.act && assessment.level !== previous && assessment.level !== 'ok') await this.#act(tenantId, assessment, now);
    return assessment;
  }

  async #act(tenantId: string, assessment: Assessment, now: number): Promise<void> {
    const action = assessment.level === 'suspend' ? 'tenant.suspend' : 'tenant.reputation-warning';
    if (assessment.level === 'suspend') {
      const tenant = await this.#state.getTenant(tenantId);
      if (!tenant || tenant.status !== 'active') return;
      await this.#state.setTenantStatus(tenantId, 'suspended', assessment.reason);
    }
    const record: OutcomeRecord = { type: 'AdminAction', at: now, tenantId, actor: 'policy.reputation', action, target: tenantId, ...(assessment.reason ? { reason: assessment.reason } : {}) };
    await this.#state.appendOutcomes([record]);
  }
}

function findingOf(assessment: Assessment): Finding {
  const score = Math.round(Math.max(assessment.bounceRate, assessment.complaintRate * 20) * 1000) / 10;
  if (assessment.level === 'ok') return { code: 'none', score, positive: false };
  return { code: `reputation.${assessment.level}`, score, positive: assessment.level === 'suspend', ...(assessment.reason ? { detail: assessment.reason } : {}) };
}

/** The gate's view: a tenant at the suspend level has its message refused (and, when acting, is suspended). */
export function tenantReputationCheck(reputation: TenantReputation): ContentCheck {
  return {
    name: 'tenant-reputation',
    category: 'tenant-reputation',
    // Synchronous with a cached assessment: the gate then times nothing for it.
    check(_view, envelope, policy) {
      const assessment = reputation.evaluate(envelope.tenantId, policy.tenantReputation);
      return assessment instanceof Promise ? assessment.then(findingOf) : findingOf(assessment);
    },
  };
}
