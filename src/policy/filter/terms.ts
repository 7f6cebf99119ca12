/**
 * Term matching for the rule data files: text is normalised (NFKD, accents dropped, lower case,
 * punctuation → space) and split into words; a term is one or more words, a trailing `*` makes
 * its last word a prefix (`casino*` matches `casinos`). A TermIndex finds every term in one pass
 * over the words (a map from first word → terms), so cost grows with the text, not the lists.
 * Exports normalizeText, words, TermIndex, Hit.
 */

const NON_ASCII = /[^\t\n\r\x20-\x7e]/;

/** Lower case, accents dropped, letters and digits kept, everything else a word break. */
export function normalizeText(text: string): string {
  // Pure ASCII (most mail): NFKD and mark removal change nothing, and \p{L}\p{N} is [a-z0-9].
  if (!NON_ASCII.test(text)) return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function words(text: string): string[] {
  const normal = normalizeText(text);
  return normal === '' ? [] : normal.split(' ');
}

interface CompiledTerm<T> {
  readonly label: string;
  readonly words: readonly string[];
  /** The last word matches as a prefix. */
  readonly prefix: boolean;
  readonly data: T;
}

export interface Hit<T> {
  readonly term: string;
  readonly data: T;
  /** Word offset of the first match. */
  readonly at: number;
  readonly count: number;
}

/** Prefix words shorter than this would match too much (`in*`); they are refused at load. */
const MIN_PREFIX = 3;

export class TermIndex<T> {
  readonly #exact = new Map<string, CompiledTerm<T>[]>();
  /** Single-word prefix terms, keyed by their first MIN_PREFIX letters. */
  readonly #prefixes = new Map<string, CompiledTerm<T>[]>();
  size = 0;

  add(term: string, data: T): void {
    const prefix = term.trim().endsWith('*');
    const termWords = words(term.replace(/\*$/, ''));
    if (termWords.length === 0) throw new TypeError(`empty term ${JSON.stringify(term)}`);
    const last = termWords[termWords.length - 1] ?? '';
    if (prefix && last.length < MIN_PREFIX) throw new TypeError(`prefix term ${JSON.stringify(term)} is shorter than ${MIN_PREFIX} letters`);
    const compiled: CompiledTerm<T> = { label: term.trim(), words: termWords, prefix, data };
    const first = termWords[0] ?? '';
    const single = prefix && termWords.length === 1;
    const map = single ? this.#prefixes : this.#exact;
    const key = single ? first.slice(0, MIN_PREFIX) : first;
    const list = map.get(key) ?? [];
    list.push(compiled);
    map.set(key, list);
    this.size++;
  }

  /** Every term found in `text`, once per term, with its number of occurrences. */
  find(text: string | readonly string[]): Hit<T>[] {
    const list = typeof text === 'string' ? words(text) : text;
    const hits = new Map<CompiledTerm<T>, { at: number; count: number }>();
    const record = (term: CompiledTerm<T>, at: number) => {
      const seen = hits.get(term);
      if (seen) seen.count++;
      else hits.set(term, { at, count: 1 });
    };
    for (let i = 0; i < list.length; i++) {
      const word = list[i] ?? '';
      const exact = this.#exact.get(word);
      if (exact) for (const term of exact) if (matchesAt(term, list, i)) record(term, i);
      if (word.length >= MIN_PREFIX && this.#prefixes.size > 0) {
        const prefixed = this.#prefixes.get(word.slice(0, MIN_PREFIX));
        if (prefixed) for (const term of prefixed) if (word.startsWith(term.words[0] ?? '')) record(term, i);
      }
    }
    return [...hits].map(([term, seen]) => ({ term: term.label, data: term.data, at: seen.at, count: seen.count }));
  }
}

function matchesAt<T>(term: CompiledTerm<T>, list: readonly string[], start: number): boolean {
  const n = term.words.length;
  if (start + n > list.length) return false;
  for (let k = 1; k < n; k++) {
    const word = list[start + k] ?? '';
    const want = term.words[k] ?? '';
    const last = k === n - 1;
    if (last && term.prefix ? !word.startsWith(want) : word !== want) return false;
  }
  return true;
}
