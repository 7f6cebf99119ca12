/**
 * Which message goes where, pure and seeded: message N's domain class (by the scenario's shares),
 * its recipient count (by the weights), each recipient's domain (uniform within the class) and size.
 * Exports MessagePlan (make(index) → PlannedMessage) and seededRandom. Local parts are unique per
 * message and recipient (`w<run>.<index>.<k>`), so greylisting triplets and unknown users are per
 * recipient and a rerun with another run id meets a fresh greylist.
 */
import { buildBody } from '../load/message.ts';
import { parseSizeSpec } from '../load/options.ts';
import type { World } from './scenario.ts';

export interface PlannedMessage {
  readonly index: number;
  readonly siteClass: string;
  readonly recipients: readonly string[];
  readonly body: Buffer;
}

/** mulberry32: a small, fast, seeded PRNG (the same seed gives the same plan). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** murmur3's finaliser over (seed, index): neighbouring indexes get unrelated PRNG streams. */
function mix(seed: number, index: number): number {
  let h = (Math.imul(seed, 0x9e3779b1) ^ index) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function weighted<T>(choices: readonly (readonly [T, number])[]): (r: number) => T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let acc = 0;
  const cumulative = choices.map(([value, w]) => [value, (acc += w / total)] as const);
  return (r) => (cumulative.find(([, c]) => r < c) ?? cumulative[cumulative.length - 1])![0];
}

export class MessagePlan {
  readonly #runId: string;
  readonly #classOf: (r: number) => string;
  readonly #countOf: (r: number) => number;
  readonly #bodyOf: (r: number) => Buffer;
  readonly #domains: Map<string, readonly string[]>;
  readonly #seed: number;

  constructor(world: World, runId: string) {
    const { scenario } = world;
    this.#runId = runId;
    this.#seed = scenario.seed;
    this.#classOf = weighted(scenario.sites.map((s) => [s.name, s.share] as const));
    this.#countOf = weighted(Object.entries(scenario.recipients).map(([k, w]) => [Number(k), w] as const));
    this.#bodyOf = weighted(parseSizeSpec(scenario.sizes).map((s) => [buildBody(s.bytes), s.weight] as const));
    this.#domains = new Map(scenario.sites.map((s) => [s.name, s.domains]));
  }

  /** Message `index`: the same index always gives the same message (its own PRNG stream). */
  make(index: number): PlannedMessage {
    const random = seededRandom(mix(this.#seed, index));
    const siteClass = this.#classOf(random());
    const count = this.#countOf(random());
    const domains = this.#domains.get(siteClass) ?? [];
    const recipients = Array.from({ length: count }, (_, k) => {
      const domain = domains[Math.floor(random() * domains.length)] as string;
      return `w${this.#runId}.${index}.${k + 1}@${domain}`;
    });
    return { index, siteClass, recipients, body: this.#bodyOf(random()) };
  }
}
