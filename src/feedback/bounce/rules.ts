/**
 * Bounce rules as data: loads `config/bounce-rules.yaml` then `bounce-rules-path.yaml` (pattern →
 * class, optional finer reason and hard override), validates every entry and compiles the patterns
 * once. Exports loadBounceRules(path), defaultBounceRules(), compileBounceRules(data), BounceRule,
 * DEFAULT_RULES_PATH(S).
 * Invariant: a bad rules file fails at load with MTA_ERR_CONFIG_INVALID naming the rule.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import { isBounceClass, type BounceClass } from './classes.ts';

export interface BounceRule {
  readonly class: BounceClass;
  readonly reason: string;
  readonly hard: boolean | undefined;
  readonly patterns: readonly RegExp[];
}

export const DEFAULT_RULES_PATH = fileURLToPath(new URL('../../../config/bounce-rules.yaml', import.meta.url));
/** The shipped rules, split by theme to keep each file readable; tried in this order. */
export const DEFAULT_RULES_PATHS: readonly string[] = [
  DEFAULT_RULES_PATH,
  fileURLToPath(new URL('../../../config/bounce-rules-path.yaml', import.meta.url)),
];

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.CONFIG_INVALID, `bounce rules: ${message}`);
}

function compileRule(entry: unknown, index: number): BounceRule {
  if (typeof entry !== 'object' || entry === null) throw invalid(`rule ${index} is not a mapping`);
  const { class: cls, reason, hard, match } = entry as Record<string, unknown>;
  if (typeof cls !== 'string' || !isBounceClass(cls)) throw invalid(`rule ${index}: unknown class ${String(cls)}`);
  if (reason !== undefined && typeof reason !== 'string') throw invalid(`rule ${index}: reason must be a string`);
  if (hard !== undefined && typeof hard !== 'boolean') throw invalid(`rule ${index}: hard must be true or false`);
  if (!Array.isArray(match) || match.length === 0) throw invalid(`rule ${index}: match must be a non-empty list`);
  const patterns = match.map((source, i) => {
    if (typeof source !== 'string') throw invalid(`rule ${index} pattern ${i} is not a string`);
    try {
      return new RegExp(source, 'iu');
    } catch (error) {
      throw invalid(`rule ${index} pattern ${i}: ${(error as Error).message}`);
    }
  });
  return { class: cls, reason: reason ?? cls, hard, patterns };
}

export function compileBounceRules(data: unknown): readonly BounceRule[] {
  const rules = (data as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) throw invalid('top-level `rules` list missing');
  return Object.freeze(rules.map(compileRule));
}

export function loadBounceRules(path: string): readonly BounceRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FerryError(ErrorCodes.CONFIG_FILE, `bounce rules: cannot read ${path}`, { cause: error });
  }
  return compileBounceRules(parseYaml(text));
}

let cached: readonly BounceRule[] | undefined;

/** The rules shipped in config/bounce-rules*.yaml (DEFAULT_RULES_PATHS, in order), loaded once. */
export function defaultBounceRules(): readonly BounceRule[] {
  cached ??= Object.freeze(DEFAULT_RULES_PATHS.flatMap((path) => loadBounceRules(path)));
  return cached;
}

/** Reads the shipped rules again (SIGHUP); an invalid file throws and the loaded rules stay. */
export function reloadDefaultBounceRules(): void {
  cached = Object.freeze(DEFAULT_RULES_PATHS.flatMap((path) => loadBounceRules(path)));
}

/** The first rule one of whose patterns matches `text`. */
export function matchRule(rules: readonly BounceRule[], text: string): BounceRule | undefined {
  if (text === '') return undefined;
  return rules.find((rule) => rule.patterns.some((pattern) => pattern.test(text)));
}
