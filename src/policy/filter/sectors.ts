/**
 * The forbidden-sector check: scores every sector of sectors.yaml on the Subject, the text and
 * HTML text (link texts included) and the link domains, and reports the best one with the terms
 * that fired — the score is explainable by construction. Exports sectorCheck and scoreSectors.
 * Invariants: one strong term alone never reaches the default threshold; a sector the tenant is
 * allowed (allow.sectors) never fires; link domains on the tenant's allow-list are not counted.
 */
import type { SectorRules, SectorTerm, SectorTier } from './rules.ts';
import { words, type Hit } from './terms.ts';
import type { ContentCheck, Finding, FilterPolicy, MessageView } from './types.ts';

interface TermScore {
  tier: SectorTier;
  count: number;
  inSubject: boolean;
  viaDomain?: string;
}

export interface SectorScore {
  readonly sector: string;
  readonly score: number;
  readonly detail: string;
}

function domainAllowed(domain: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => domain === a || domain.endsWith(`.${a}`));
}

/**
 * Adds one scan's hits. A word matched by several terms of one sector (`elections` by both
 * `elections` and `election*`) counts once, with its strongest term. A term seen in the Subject
 * gets the subject bonus; only body occurrences count as repeats.
 */
function addHits(perSector: Map<string, Map<string, TermScore>>, hits: Hit<SectorTerm>[], where: 'subject' | 'body' | string, weights: SectorRules['weights']): void {
  const strongestAt = new Map<string, Hit<SectorTerm>>();
  for (const hit of hits) {
    const key = `${hit.data.sector}@${hit.at}`;
    const kept = strongestAt.get(key);
    if (!kept || weights[hit.data.tier] > weights[kept.data.tier]) strongestAt.set(key, hit);
  }
  for (const hit of strongestAt.values()) {
    const terms = perSector.get(hit.data.sector) ?? new Map<string, TermScore>();
    perSector.set(hit.data.sector, terms);
    const inSubject = where === 'subject';
    const seen = terms.get(hit.term);
    if (seen) {
      if (!inSubject) seen.count += hit.count;
      seen.inSubject ||= inSubject;
    } else {
      terms.set(hit.term, { tier: hit.data.tier, count: inSubject ? 0 : hit.count, inSubject, ...(inSubject || where === 'body' ? {} : { viaDomain: where }) });
    }
  }
}

function termWeight(rules: SectorRules, term: TermScore): number {
  if (term.tier === 'unless') return -rules.weights.unless;
  const base = rules.weights[term.tier];
  return base * (term.count >= 2 ? rules.repeatFactor : 1) * (term.inSubject ? 1 + rules.subjectBonus : 1);
}

function explain(term: string, score: TermScore): string {
  const marks = [score.count >= 2 ? `×${score.count}` : '', score.inSubject ? ' (subject)' : '', score.viaDomain ? ` (link ${score.viaDomain})` : ''];
  return `${score.tier === 'unless' ? '−' : ''}${term}${marks.join('')}`;
}

/** Every sector with a positive score, best first. */
export function scoreSectors(view: MessageView, rules: SectorRules, allowedDomains: readonly string[]): SectorScore[] {
  const subjectHits = rules.terms.find(view.subjectWords);
  const bodyHits = rules.terms.find(view.textWords);
  // Most mail: no term and no link, so no sector (and none of the maps below).
  if (subjectHits.length === 0 && bodyHits.length === 0 && view.links.length === 0) return [];
  const perSector = new Map<string, Map<string, TermScore>>();
  addHits(perSector, subjectHits, 'subject', rules.weights);
  addHits(perSector, bodyHits, 'body', rules.weights);
  const domainScores = new Map<string, { score: number; domains: string[] }>();
  const domains = new Set(view.links.map((l) => l.domain).filter((d) => d !== '' && !domainAllowed(d, allowedDomains)));
  for (const domain of domains) {
    addHits(perSector, rules.terms.find(words(domain.replace(/[.-]/g, ' '))), domain, rules.weights);
    for (const [sector, listed] of rules.domains) {
      if (!domainAllowed(domain, listed)) continue;
      const entry = domainScores.get(sector) ?? { score: 0, domains: [] };
      entry.score += rules.weights.domain;
      entry.domains.push(domain);
      domainScores.set(sector, entry);
    }
  }
  const scores: SectorScore[] = [];
  for (const sector of new Set([...perSector.keys(), ...domainScores.keys()])) {
    const terms = [...(perSector.get(sector) ?? new Map<string, TermScore>())];
    const listed = domainScores.get(sector);
    const score = terms.reduce((sum, [, t]) => sum + termWeight(rules, t), 0) + (listed?.score ?? 0);
    if (score <= 0) continue;
    terms.sort((a, b) => termWeight(rules, b[1]) - termWeight(rules, a[1]));
    const parts = terms.map(([term, t]) => explain(term, t));
    if (listed) parts.push(`listed link domain ${listed.domains.join(', ')}`);
    scores.push({ sector, score: Math.round(score * 10) / 10, detail: `${sector} ${Math.round(score * 10) / 10}: ${parts.join(', ')}` });
  }
  return scores.sort((a, b) => b.score - a.score);
}

export function sectorCheck(rules: SectorRules): ContentCheck {
  return {
    name: 'sectors',
    category: 'forbidden-sector',
    check(view: MessageView, _envelope, policy: FilterPolicy): Finding {
      const threshold = policy.checks.sectors.threshold;
      const scores = scoreSectors(view, rules, policy.allow.linkDomains).filter((s) => !policy.allow.sectors.has(s.sector));
      const best = scores[0];
      if (!best) return { code: 'none', score: 0, positive: false };
      return { code: `sector.${best.sector}`, score: best.score, positive: best.score >= threshold, detail: scores.slice(0, 3).map((s) => s.detail).join('; ') };
    },
  };
}
