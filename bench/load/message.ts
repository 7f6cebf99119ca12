/**
 * Bench message factory: pre-built bodies per size (built once, reused by every message so the
 * source spends no CPU on content), a small per-message header block, and the envelope.
 * Exports: `MessageFactory`, `buildBody`, `benchIdOf`.
 * Invariants: bodies are CRLF text of 76-character lines that never start with "." (no dot-stuffing
 * needed), exactly `bytes` long; the "\r\n.\r\n" DATA terminator (`DATA_TERMINATOR`) is sent apart.
 */
import type { LoadOptions, SizeChoice } from './options.ts';

export interface BenchMessage {
  readonly index: number;
  readonly benchId: string;
  readonly recipients: readonly string[];
  readonly header: string;
  /** Shared, pre-built body, without the DATA terminator. */
  readonly body: Buffer;
  readonly bodyBytes: number;
}

const LINE = 76;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ';

export const DATA_TERMINATOR = Buffer.from('\r\n.\r\n', 'latin1');

/** Body of exactly `bytes` bytes (CRLF lines; the last line's end comes with the terminator). */
export function buildBody(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let pos = 0;
  let n = 0;
  while (pos < bytes) {
    const room = bytes - pos;
    const textLen = Math.min(LINE, Math.max(0, room - 2));
    for (let i = 0; i < textLen; i++) out[pos++] = ALPHABET.charCodeAt((n++ * 7 + i) % ALPHABET.length);
    if (room - textLen >= 2) {
      out[pos++] = 13;
      out[pos++] = 10;
    } else if (room - textLen === 1) out[pos++] = 120; // 1 byte left: 'x', the terminator's CRLF ends the line
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so runs with the same seed pick the same sizes. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function benchIdOf(runId: string, index: number): string {
  return `${runId}.${index}`;
}

export class MessageFactory {
  readonly #opts: LoadOptions;
  readonly #bodies: Buffer[];
  readonly #cumulative: number[];
  readonly #random: () => number;

  constructor(opts: LoadOptions) {
    this.#opts = opts;
    this.#bodies = opts.sizes.map((s) => buildBody(s.bytes));
    const total = opts.sizes.reduce((sum, s) => sum + s.weight, 0);
    let acc = 0;
    this.#cumulative = opts.sizes.map((s: SizeChoice) => (acc += s.weight / total));
    this.#random = mulberry32(opts.seed);
  }

  #pickSize(): number {
    if (this.#bodies.length === 1) return 0;
    const r = this.#random();
    const i = this.#cumulative.findIndex((c) => r < c);
    return i === -1 ? this.#bodies.length - 1 : i;
  }

  recipientsOf(index: number): string[] {
    const { recipients, uniqueRecipients, recipientDomain } = this.#opts;
    const out: string[] = [];
    for (let k = 1; k <= recipients; k++) {
      const local = uniqueRecipients ? `r${index}.${k}` : `rcpt${k}`;
      out.push(`${local}@${recipientDomain}`);
    }
    return out;
  }

  make(index: number): BenchMessage {
    const s = this.#pickSize();
    const benchId = benchIdOf(this.#opts.runId, index);
    const recipients = this.recipientsOf(index);
    const header =
      `From: <${this.#opts.from}>\r\nTo: <${recipients[0]}>\r\nSubject: bench ${benchId}\r\n` +
      `Date: ${new Date().toUTCString()}\r\nMessage-ID: <${benchId}@bench.test>\r\nX-Bench-Id: ${benchId}\r\n` +
      'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n';
    const body = this.#bodies[s] as Buffer;
    return { index, benchId, recipients, header, body, bodyBytes: body.length };
  }
}
