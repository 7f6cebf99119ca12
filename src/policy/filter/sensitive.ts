/**
 * The sensitive-data check: payment card numbers (Luhn-valid, issuer prefix and length of a real
 * scheme, plain or in 4-digit groups with spaces or dashes), IBANs (country length + ISO 7064
 * mod-97) and health-data indicators (health.yaml terms, counted only with a personal marker).
 * The Subject and the text are scanned apart (no joined copy), and most text skips the full card
 * and IBAN patterns after a cheaper test that every candidate passes (CARD_START, mayHoldIban).
 * Exports sensitiveDataCheck, findCards, findIbans, luhnValid, ibanValid. Invariant: a detail
 * never holds a whole number — only its last four digits — since details are stored in records.
 */
import type { HealthRules } from './rules.ts';
import type { ContentCheck, Finding, FilterPolicy, MessageView } from './types.ts';

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the card schemes in use (ISO/IEC 7812 IIN ranges). */
const SCHEMES: readonly { name: string; prefix: RegExp; lengths: readonly number[] }[] = [
  { name: 'visa', prefix: /^4/, lengths: [13, 16, 19] },
  { name: 'mastercard', prefix: /^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/, lengths: [16] },
  { name: 'amex', prefix: /^3[47]/, lengths: [15] },
  { name: 'discover', prefix: /^(6011|65|64[4-9])/, lengths: [16, 19] },
  { name: 'diners', prefix: /^(36|38|30[0-5])/, lengths: [14] },
  { name: 'jcb', prefix: /^35(2[89]|[3-8]\d)/, lengths: [16, 19] },
  { name: 'unionpay', prefix: /^62/, lengths: [16, 17, 18, 19] },
  { name: 'maestro', prefix: /^(5[06-8]|6\d)/, lengths: [12, 13, 14, 15, 16, 17, 18, 19] },
];
const GROUPINGS = new Set(['4-4-4-4', '4-6-5', '4-6-4', '4-4-4-4-3', '4-4-4-1', '4-4-4-2', '4-4-4-3', '4-4-4-4-1', '4-4-4-4-2']);
const CARD_CANDIDATE = /(?<![\d.,/-])\d(?:[ -]?\d){11,24}(?!\d|[.,/]\d)/g;
/**
 * How every card candidate starts (its first four digits): text without it — most text — has no
 * candidate, and this pattern is found (or not) far sooner than the candidate's look-behind one.
 */
const CARD_START = /\d[ -]?\d[ -]?\d[ -]?\d/;
const CARD_CONTEXT = /\b(cards?|cartes?|kaart|karte|tarjeta|cardul|card number|cvv|cvc|cvv2|expir|exp\.?|valid thru|visa|mastercard|amex|kreditkarte|creditcard|carte bancaire|cb)\b/i;

export interface CardFinding {
  readonly scheme: string;
  readonly last4: string;
  readonly grouped: boolean;
  readonly context: boolean;
}

/** The card number in a candidate: all of it when ungrouped; else the longest run of leading groups that fits. */
function cardDigits(raw: string): { digits: string; grouped: boolean } | undefined {
  const groups = raw.split(/[ -]/);
  if (groups.length === 1) return validCard(raw) ? { digits: raw, grouped: false } : undefined;
  if (!/^\d+(( \d+)*|(-\d+)*)$/.test(raw)) return undefined;
  for (let k = groups.length; k >= 3; k--) {
    const lead = groups.slice(0, k);
    const digits = lead.join('');
    if (GROUPINGS.has(lead.map((g) => g.length).join('-')) && validCard(digits)) return { digits, grouped: true };
  }
  return undefined;
}

function validCard(digits: string): boolean {
  return !/^(\d)\1+$/.test(digits) && luhnValid(digits) && SCHEMES.some((s) => s.prefix.test(digits) && s.lengths.includes(digits.length));
}

/**
 * Card numbers in `texts` (the Subject, then the text), as found in them joined by line breaks (no
 * candidate holds one) but without the joined copy: that is built only for a card's context.
 */
export function findCards(...texts: string[]): CardFinding[] {
  const found: CardFinding[] = [];
  let joined: string | undefined;
  let offset = 0;
  for (const text of texts) {
    // No candidate starts before the first CARD_START: the scan starts there (or not at all).
    const start = CARD_START.exec(text);
    if (start) {
      CARD_CANDIDATE.lastIndex = start.index;
      for (let match = CARD_CANDIDATE.exec(text); match; match = CARD_CANDIDATE.exec(text)) {
        const card = cardDigits(match[0]);
        if (!card) continue;
        const scheme = SCHEMES.find((s) => s.prefix.test(card.digits) && s.lengths.includes(card.digits.length))?.name ?? 'card';
        const index = offset + match.index;
        joined ??= texts.join('\n');
        const around = joined.slice(Math.max(0, index - 80), index + match[0].length + 40);
        found.push({ scheme, last4: card.digits.slice(-4), grouped: card.grouped, context: CARD_CONTEXT.test(around) });
      }
    }
    offset += text.length + 1;
  }
  return found;
}

/** IBAN length per country (SWIFT IBAN registry), the countries Ferry's tenants mail about. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22, GI: 23, GR: 27,
  HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MD: 24, MT: 31, NL: 18, NO: 15, PL: 28, PT: 25,
  RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, TR: 26, UA: 29, RS: 22, AL: 28, BA: 20, ME: 22, MK: 19, SA: 24, AE: 23, IL: 23, MA: 28, TN: 24,
};
/** Case-insensitive, so the text is not upper-cased as a whole (a copy per message); matches are. */
const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{2,4}){3,8}/gi;

export function ibanValid(iban: string): boolean {
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = char >= 'A' && char <= 'Z' ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    if (value < 0 || value > 35) return false;
    remainder = (remainder * (value > 9 ? 100 : 10) + value) % 97;
  }
  return remainder === 1;
}

/**
 * Valid IBANs in the texts (compact, upper case, each once); trailing words glued by the regex are
 * cut at the country length. Texts given apart find what they would joined by a line break (no
 * candidate holds one), without the joined copy.
 */
export function findIbans(...texts: string[]): string[] {
  const found = new Set<string>();
  for (const text of texts) {
    IBAN_CANDIDATE.lastIndex = 0;
    for (let match = IBAN_CANDIDATE.exec(text); match; match = IBAN_CANDIDATE.exec(text)) {
      const compact = match[0].replace(/ /g, '').toUpperCase();
      const length = IBAN_LENGTHS[compact.slice(0, 2)];
      if (length !== undefined && compact.length >= length && ibanValid(compact.slice(0, length))) found.add(compact.slice(0, length));
    }
  }
  return [...found];
}

/**
 * False when no IBAN can be in the view: in ASCII text every candidate starts a word (after a
 * non-word character) with two letters and two digits, and checking the words' first characters
 * is cheaper than the pattern's scan of the whole text. Other text: true (the pattern decides).
 */
function mayHoldIban(view: MessageView): boolean {
  return view.asciiOnly !== true || someStartLikeIban(view.subjectWords) || someStartLikeIban(view.textWords);
}

function someStartLikeIban(words: readonly string[]): boolean {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (isLetter(word.charCodeAt(0)) && isLetter(word.charCodeAt(1)) && isDigit(word.charCodeAt(2)) && isDigit(word.charCodeAt(3))) return true;
  }
  return false;
}

/** A lower-case ASCII letter (words are lower case). */
function isLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Health terms and personal markers in the Subject's words then the text's (one list: a term may span both). */
function healthFinding(subject: readonly string[], text: readonly string[], rules: HealthRules): { score: number; detail: string } {
  const hits = rules.terms.find(subject, text);
  if (hits.length === 0 || rules.personal.find(subject, text).length === 0) return { score: 0, detail: '' };
  const score = hits.reduce((sum, h) => sum + rules.weights[h.data], 0);
  return { score, detail: `health indicators ${score}: ${hits.map((h) => h.term).join(', ')}` };
}

function cardScore(card: CardFinding): number {
  return card.grouped || card.context ? 10 : 5;
}

export function sensitiveDataCheck(healthRules: HealthRules): ContentCheck {
  return {
    name: 'sensitive-data',
    category: 'sensitive-data',
    check(view: MessageView, _envelope, policy: FilterPolicy): Finding {
      const threshold = policy.checks['sensitive-data'].threshold;
      const findings: { code: string; score: number; detail: string }[] = [];
      for (const card of findCards(view.subject, view.text)) {
        findings.push({ code: 'sensitive.pan', score: cardScore(card), detail: `${card.scheme} card number ending ${card.last4}${card.grouped ? ', grouped' : ''}${card.context ? ', card context' : ''}` });
      }
      for (const iban of mayHoldIban(view) ? findIbans(view.subject, view.text) : []) {
        if (policy.allow.ibans.has(iban)) continue;
        findings.push({ code: 'sensitive.iban', score: 10, detail: `IBAN ${iban.slice(0, 2)}…${iban.slice(-4)} (mod-97 valid)` });
      }
      const health = healthFinding(view.subjectWords, view.textWords, healthRules);
      if (health.score > 0) findings.push({ code: 'sensitive.health', score: health.score, detail: health.detail });
      findings.sort((a, b) => b.score - a.score);
      const best = findings[0];
      if (!best) return { code: 'none', score: 0, positive: false };
      return { code: best.code, score: best.score, positive: best.score >= threshold, detail: findings.slice(0, 4).map((f) => f.detail).join('; ') };
    },
  };
}
