/**
 * Traffic shaping as data (config/shaping.yaml, format documented at its top): per-site default
 * limits and adaptive reply rules, loaded and validated once at start (loadShaping; a bad file is
 * MTA_ERR_CONFIG_FILE / MTA_ERR_CONFIG_INVALID), and the adaptive state of one egress path
 * (createPathShaper): a rate factor that `slow` rules multiply (down to a floor) and accepted
 * transactions ramp back additively to 1, a `suspend` deadline, and the path's hourly send cap.
 * Pure: every decision takes `now` (the engine clock, ms) from the caller; no timers.
 */
import { Type, type Static } from '@sinclair/typebox';
import { bundledDataFile, parseDataText, readDataFile } from '../platform/index.ts';
import { ErrorCodes, FerryError, parseDuration, type RemoteReply } from '../domain/index.ts';
import type { PathLimits } from './path-limits.ts';
import { replyClass } from './smtp-reply.ts';

export const DEFAULT_SHAPING_FILE = bundledDataFile('shaping.yaml');

const Strict = { additionalProperties: false } as const;
const Duration = Type.String({ pattern: '^\\d+(ms|s|m|h|d)$' });
const Adaptive = Type.Object(
  { floor: Type.Number({ exclusiveMinimum: 0, maximum: 1 }), rampPerSuccess: Type.Number({ exclusiveMinimum: 0, maximum: 1 }), slowCooldown: Duration },
  Strict,
);
const Limits = Type.Partial(
  Type.Object(
    {
      maxConnections: Type.Integer({ minimum: 1 }),
      maxMessagesPerConnection: Type.Integer({ minimum: 1 }),
      maxMessagesPerSecond: Type.Number({ minimum: 0 }),
      maxMessagesPerHour: Type.Number({ minimum: 0 }),
    },
    Strict,
  ),
);
const Match = Type.Object(
  { code: Type.Optional(Type.Integer({ minimum: 200, maximum: 599 })), enhanced: Type.Optional(Type.String({ pattern: '^[245]\\.\\d{1,3}\\.\\d{1,3}$' })), text: Type.Optional(Type.String({ minLength: 1 })) },
  { ...Strict, minProperties: 1 },
);
const Rule = Type.Union([
  Type.Object({ name: Type.String({ minLength: 1 }), site: Type.Optional(Type.String({ minLength: 1 })), match: Match, action: Type.Literal('slow'), factor: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }) }, Strict),
  Type.Object({ name: Type.String({ minLength: 1 }), site: Type.Optional(Type.String({ minLength: 1 })), match: Match, action: Type.Literal('suspend'), duration: Duration }, Strict),
]);
const ShapingFile = Type.Object(
  {
    adaptive: Adaptive,
    sites: Type.Record(Type.String({ minLength: 1 }), Type.Object({ limits: Type.Optional(Limits), adaptive: Type.Optional(Type.Partial(Adaptive)) }, Strict)),
    rules: Type.Array(Rule),
  },
  Strict,
);

export interface AdaptiveSettings {
  readonly floor: number;
  readonly rampPerSuccess: number;
  readonly slowCooldownMs: number;
}
export type ShapingAction = { readonly kind: 'slow'; readonly factor: number } | { readonly kind: 'suspend'; readonly durationMs: number };
export interface ShapingRule {
  readonly name: string;
  readonly site?: string;
  readonly code?: number;
  readonly enhanced?: string;
  readonly text?: RegExp;
  readonly action: ShapingAction;
}
export interface SiteShaping {
  readonly limits: Partial<PathLimits>;
  readonly adaptive: AdaptiveSettings;
  readonly rules: readonly ShapingRule[];
}
export interface Shaping {
  /** Default limits of a site (empty when the file names none). */
  siteLimits(site: string): Partial<PathLimits>;
  /** The adaptive settings and the rules that apply to a site, in file order. */
  forSite(site: string): SiteShaping;
}

/** Compiles validated shaping data; `source` names the file in errors. */
function compileShaping(file: Static<typeof ShapingFile>, source: string): Shaping {
  const rules = file.rules.map((rule, index): ShapingRule => {
    let textPattern: RegExp | undefined;
    try {
      if (rule.match.text !== undefined) textPattern = new RegExp(rule.match.text, 'i');
    } catch (cause) {
      throw new FerryError(ErrorCodes.CONFIG_INVALID, `shaping file ${source}: /rules/${index}/match/text: ${(cause as Error).message}`, { cause });
    }
    const action: ShapingAction = rule.action === 'slow' ? { kind: 'slow', factor: rule.factor } : { kind: 'suspend', durationMs: parseDuration(rule.duration) };
    return {
      name: rule.name, action,
      ...(rule.site !== undefined && { site: rule.site }),
      ...(rule.match.code !== undefined && { code: rule.match.code }),
      ...(rule.match.enhanced !== undefined && { enhanced: rule.match.enhanced }),
      ...(textPattern && { text: textPattern }),
    };
  });
  const adaptiveOf = (site: string): AdaptiveSettings => {
    const merged = { ...file.adaptive, ...file.sites[site]?.adaptive };
    return { floor: merged.floor, rampPerSuccess: merged.rampPerSuccess, slowCooldownMs: parseDuration(merged.slowCooldown) };
  };
  return {
    siteLimits: (site) => ({ ...file.sites[site]?.limits }),
    forSite: (site) => ({
      limits: { ...file.sites[site]?.limits },
      adaptive: adaptiveOf(site),
      rules: rules.filter((rule) => rule.site === undefined || rule.site === site),
    }),
  };
}

/** Parses and validates shaping data given as text (tests); `source` names it in errors. */
export function parseShaping(text: string, source: string): Shaping {
  return compileShaping(parseDataText(text, source, ShapingFile, 'shaping file'), source);
}

/** Reads `path` (empty → the bundled config/shaping.yaml). */
export function loadShaping(path: string): Shaping {
  const file = path === '' ? DEFAULT_SHAPING_FILE : path;
  return compileShaping(readDataFile(file, ShapingFile, 'shaping file'), file);
}

/** The first rule whose every given key matches the reply. */
export function matchRule(rules: readonly ShapingRule[], reply: RemoteReply): ShapingRule | undefined {
  return rules.find((rule) =>
    (rule.code === undefined || rule.code === reply.code) &&
    (rule.enhanced === undefined || rule.enhanced === reply.enhanced) &&
    (rule.text === undefined || rule.text.test(reply.text)));
}

export interface PathShaper {
  /** The current rate factor (1 = full speed). */
  readonly factor: number;
  /** Sends per second allowed now; 0 = unlimited. `baseRate` is the path's maxMessagesPerSecond. */
  rate(baseRate: number): number;
  /**
   * Feeds the replies of one transaction (or of a failed connection). The first reply matching a
   * rule applies its action (once per transaction); otherwise an accepted reply ramps the factor.
   * `observedRate` (sends/s of late) is asked only when an unlimited path is slowed the first time.
   * Returns the rule applied, if any.
   */
  observe(replies: readonly RemoteReply[], now: number, observedRate: () => number): ShapingRule | undefined;
  /** A send starts now (counted against maxMessagesPerHour). */
  recordSend(now: number): void;
  /** When the path may send again (suspended or hourly cap reached); undefined = not paused. */
  pausedUntil(now: number): number | undefined;
  /** True when the shaper holds nothing worth keeping (full speed, not paused, no hourly history). */
  dormant(now: number): boolean;
}

const HOUR_MS = 3_600_000;
/** An unlimited path with no observed sends is slowed from this rate (sends/s). */
const MIN_REFERENCE_RATE = 1;

/** `shaping` may be a getter: the rules and adaptive settings in force are read at each use (SIGHUP reload). */
export function createPathShaper(shaping: SiteShaping | (() => SiteShaping), maxMessagesPerHour: number): PathShaper {
  const current = typeof shaping === 'function' ? shaping : () => shaping;
  let factor = 1;
  /** The rate an unlimited path is slowed from, fixed at its first slow-down; cleared at full speed. */
  let reference: number | undefined;
  let lastSlowAt = -Infinity;
  let suspendedUntil = 0;
  /** Send starts (clock ms) within the last hour, oldest first; kept only under an hourly cap. */
  const hourSends: number[] = [];

  function pruneHour(now: number): void {
    while (hourSends.length > 0 && (hourSends[0] as number) <= now - HOUR_MS) hourSends.shift();
  }

  function slow(by: number, now: number, observedRate: () => number): void {
    const { adaptive } = current();
    if (now - lastSlowAt < adaptive.slowCooldownMs) return;
    lastSlowAt = now;
    if (factor >= 1) reference = Math.max(MIN_REFERENCE_RATE, observedRate());
    factor = Math.max(adaptive.floor, factor * by);
  }

  return {
    get factor() {
      return factor;
    },
    rate(baseRate) {
      if (factor >= 1) return baseRate;
      const from = baseRate > 0 ? baseRate : (reference ?? MIN_REFERENCE_RATE);
      return from * factor;
    },
    observe(replies, now, observedRate) {
      for (const reply of replies) {
        const rule = matchRule(current().rules, reply);
        if (!rule) continue;
        if (rule.action.kind === 'slow') slow(rule.action.factor, now, observedRate);
        else suspendedUntil = Math.max(suspendedUntil, now + rule.action.durationMs);
        return rule;
      }
      if (factor < 1 && replies.some((reply) => replyClass(reply) === 'accepted')) {
        factor = Math.min(1, factor + current().adaptive.rampPerSuccess);
        if (factor >= 1) reference = undefined;
      }
      return undefined;
    },
    recordSend(now) {
      if (maxMessagesPerHour <= 0) return;
      pruneHour(now);
      hourSends.push(now);
    },
    pausedUntil(now) {
      let until = suspendedUntil > now ? suspendedUntil : undefined;
      if (maxMessagesPerHour > 0) {
        pruneHour(now);
        if (hourSends.length >= maxMessagesPerHour) until = Math.max(until ?? 0, (hourSends[hourSends.length - maxMessagesPerHour] as number) + HOUR_MS);
      }
      return until;
    },
    dormant(now) {
      pruneHour(now);
      return factor >= 1 && suspendedUntil <= now && hourSends.length === 0;
    },
  };
}
