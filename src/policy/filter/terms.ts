/**
 * Term matching for the rule data files: text is normalised (NFKD, accents dropped, lower case,
 * punctuation → space) and split into words; a term is one or more words, a trailing `*` makes
 * its last word a prefix (`casino*` matches `casinos`). A TermIndex finds every term in one pass
 * over the words (a map from first word → terms), so cost grows with the text, not the lists;
 * the words may come in two parts (the Subject's, then the text's) that are matched as one list
 * without a joined copy. Only the stretches around non-ASCII characters pay for Unicode
 * normalisation (see words()). Exports normalizeText, words, asciiWords, TermIndex, Hit.
 */

const NON_ASCII = /[\u0080-\uffff]/g;
const ASCII_WORD = /[a-z0-9]+/g;
const UNICODE_WORD = /[\p{L}\p{N}]+/gu;
/** Non-ASCII stretches closer than this are normalised as one (one call for a run of accented words). */
const MERGE_GAP = 256;

/** Lower case, accents dropped, letters and digits kept, everything else a word break. */
export function normalizeText(text: string): string {
  return words(text).join(' ');
}

/** The words of a stretch with a non-ASCII character: the whole Unicode treatment. */
function unicodeWords(stretch: string): string[] {
  return stretch.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/ß/g, 'ss').match(UNICODE_WORD) ?? [];
}

/**
 * The words of a pure ASCII stretch: NFKD and mark removal change nothing, \p{L}\p{N} is [a-z0-9].
 * Exactly words(stretch) when no code unit is ≥ 0x80 (a caller that knows it skips words()' scan).
 */
export function asciiWords(stretch: string): string[] {
  return stretch.toLowerCase().match(ASCII_WORD) ?? [];
}

/** ASCII space, tab, CR, LF: NFKD starters, neither cased nor case-ignorable, always a word break. */
function isBlank(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9;
}

function nextNonAscii(text: string, from: number): number {
  NON_ASCII.lastIndex = from;
  return NON_ASCII.exec(text)?.index ?? -1;
}

function blankFrom(text: string, from: number): number {
  let i = from;
  while (i < text.length && !isBlank(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The normalised words of `text`, without the Unicode work on all of it: only the stretches
 * around non-ASCII characters (cut at ASCII blanks) are normalised, the ASCII between them takes
 * the fast path. Exactly the words of the whole-text treatment, because NFKD reordering, mark
 * removal and Final_Sigma lower-casing never look across an ASCII blank (a starter, neither cased
 * nor case-ignorable), and a blank always breaks words.
 */
export function words(text: string): string[] {
  const parts: string[][] = [];
  let done = 0;
  let next = nextNonAscii(text, 0);
  while (next >= 0) {
    let start = next;
    while (start > done && !isBlank(text.charCodeAt(start - 1))) start--;
    let end = blankFrom(text, next);
    next = nextNonAscii(text, end);
    while (next >= 0 && next - end <= MERGE_GAP) {
      end = blankFrom(text, next);
      next = nextNonAscii(text, end);
    }
    if (start > done) parts.push(asciiWords(text.slice(done, start)));
    parts.push(unicodeWords(text.slice(start, end)));
    done = end;
  }
  if (done === 0) return asciiWords(text);
  if (done < text.length) parts.push(asciiWords(text.slice(done)));
  return parts.flat();
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

/**
 * Size of the hash filters in front of the term maps (a power of two); a collision only costs a
 * Map lookup. The filters are bit sets (1 KiB each): on a busy relay they are cold at every
 * message, and 16 cache lines are fetched sooner than the 64 of a byte per hash.
 */
const HASHES = 8192;

const NO_WORDS: readonly string[] = [];

/** Hash of a word's first MIN_PREFIX code units (the word is at least that long). Written out again in #scan(). */
function prefixHash(word: string): number {
  return (word.charCodeAt(0) * 961 + word.charCodeAt(1) * 31 + word.charCodeAt(2)) & (HASHES - 1);
}

/** Hash of a whole word: length, first and last code unit (cheaper than the Map's own hashing). Written out again in #scan(). */
function wordHash(word: string): number {
  return (word.length * 961 + word.charCodeAt(0) * 31 + word.charCodeAt(word.length - 1)) & (HASHES - 1);
}

function setBit(bits: Int32Array, hash: number): void {
  bits[hash >>> 5] = (bits[hash >>> 5] ?? 0) | (1 << (hash & 31));
}

export class TermIndex<T> {
  readonly #exact = new Map<string, CompiledTerm<T>[]>();
  /** Single-word prefix terms, keyed by their first MIN_PREFIX letters. */
  readonly #prefixes = new Map<string, CompiledTerm<T>[]>();
  /** Mark the hashes of the #exact and #prefixes keys: most words skip the lookups (and the slice). */
  readonly #exactHashes = new Int32Array(HASHES / 32);
  readonly #prefixHashes = new Int32Array(HASHES / 32);
  /** The longest #exact key: a longer word (a long token, an ID) skips that lookup. */
  #longestExact = 0;
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
    setBit(single ? this.#prefixHashes : this.#exactHashes, single ? prefixHash(key) : wordHash(key));
    if (!single) this.#longestExact = Math.max(this.#longestExact, key.length);
    const list = map.get(key) ?? [];
    list.push(compiled);
    map.set(key, list);
    this.size++;
  }

  /**
   * Every term found in `text`, once per term, with its number of occurrences. `more` continues
   * the list (a term may span both): the hits of `text.concat(more)`, without the copy.
   */
  find(text: string | readonly string[], more: readonly string[] = NO_WORDS): Hit<T>[] {
    const list = typeof text === 'string' ? words(text) : text;
    const hits = this.#scan(list, list, more, 0, undefined);
    const all = more.length === 0 ? hits : this.#scan(more, list, more, list.length, hits);
    if (!all) return [];
    return [...all].map(([term, seen]) => ({ term: term.label, data: term.data, at: seen.at, count: seen.count }));
  }

  /** Looks up the words of `scan`, which sits at word offset `base` of the list `first` + `rest`. */
  #scan(scan: readonly string[], first: readonly string[], rest: readonly string[], base: number, found: Found<T> | undefined): Found<T> | undefined {
    // Most lists hit no term at all: the map is made at the first hit.
    let hits = found;
    const exactHashes = this.#exactHashes;
    const prefixHashes = this.#prefixHashes;
    const longestExact = this.#longestExact;
    for (let i = 0; i < scan.length; i++) {
      const word = scan[i] ?? '';
      const n = word.length;
      const first0 = word.charCodeAt(0);
      // wordHash() and prefixHash() written out: once per word of every message, and a busy relay
      // was seen not to inline them.
      if (n <= longestExact) {
        const hash = (n * 961 + first0 * 31 + word.charCodeAt(n - 1)) & (HASHES - 1);
        const exact = ((exactHashes[hash >>> 5] ?? 0) >>> (hash & 31)) & 1 ? this.#exact.get(word) : undefined;
        if (exact) for (const term of exact) if (matchesAt(term, first, rest, base + i)) hits = record(hits, term, base + i);
      }
      if (n < MIN_PREFIX) continue;
      const prefix = (first0 * 961 + word.charCodeAt(1) * 31 + word.charCodeAt(2)) & (HASHES - 1);
      const prefixed = ((prefixHashes[prefix >>> 5] ?? 0) >>> (prefix & 31)) & 1 ? this.#prefixes.get(word.slice(0, MIN_PREFIX)) : undefined;
      if (prefixed) for (const term of prefixed) if (word.startsWith(term.words[0] ?? '')) hits = record(hits, term, base + i);
    }
    return hits;
  }
}

type Found<T> = Map<CompiledTerm<T>, { at: number; count: number }>;

function record<T>(hits: Found<T> | undefined, term: CompiledTerm<T>, at: number): Found<T> {
  const map = hits ?? new Map<CompiledTerm<T>, { at: number; count: number }>();
  const seen = map.get(term);
  if (seen) seen.count++;
  else map.set(term, { at, count: 1 });
  return map;
}

/** Whether `term` matches at word offset `start` of the list `first` + `rest`. */
function matchesAt<T>(term: CompiledTerm<T>, first: readonly string[], rest: readonly string[], start: number): boolean {
  const n = term.words.length;
  if (start + n > first.length + rest.length) return false;
  for (let k = 1; k < n; k++) {
    const at = start + k;
    const word = (at < first.length ? first[at] : rest[at - first.length]) ?? '';
    const want = term.words[k] ?? '';
    const last = k === n - 1;
    if (last && term.prefix ? !word.startsWith(want) : word !== want) return false;
  }
  return true;
}
