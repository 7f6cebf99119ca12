/**
 * Loads the configuration: config/default.yaml ← override file (--config or FERRY_CONFIG) ←
 * FERRY_* environment variables; validates the merged result against ConfigSchema once and
 * deep-freezes it. Any unknown key or bad value throws MTA_ERR_CONFIG_INVALID naming the key,
 * before anything binds a port. Leaf modules never read config themselves: it is passed down.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import { ConfigSchema, SECRET_PATHS, type Config } from './schema.ts';

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../config/default.yaml', import.meta.url));

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readYamlFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FerryError(ErrorCodes.CONFIG_FILE, `cannot read config file ${path}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (cause) {
    throw new FerryError(ErrorCodes.CONFIG_FILE, `config file ${path} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isTree(parsed)) throw new FerryError(ErrorCodes.CONFIG_FILE, `config file ${path} must hold a YAML mapping`);
  return parsed;
}

/** Objects merge key by key; arrays and scalars from `over` replace those of `base`. */
export function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function envName(path: readonly string[]): string {
  return 'FERRY_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Every FERRY_* variable the schema allows, mapped to its dotted path and schema node. */
function envKeys(schema: TSchema, path: string[] = [], out = new Map<string, { path: string[]; schema: TSchema }>()) {
  if (schema.type === 'object' && schema.properties) {
    for (const [key, child] of Object.entries(schema.properties as Record<string, TSchema>)) envKeys(child, [...path, key], out);
  }
  if (path.length > 0) out.set(envName(path), { path, schema });
  return out;
}

function parseEnvValue(name: string, raw: string, schema: TSchema): unknown {
  if (schema.type === 'string') return raw;
  try {
    return parseYaml(raw) as unknown;
  } catch {
    throw new FerryError(ErrorCodes.CONFIG_INVALID, `environment variable ${name}: cannot parse "${raw}"`);
  }
}

function envOverrides(env: NodeJS.ProcessEnv): Tree {
  const known = envKeys(ConfigSchema);
  let tree: Tree = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('FERRY_') || name === 'FERRY_CONFIG' || raw === undefined) continue;
    const entry = known.get(name);
    if (!entry) throw new FerryError(ErrorCodes.CONFIG_INVALID, `unknown environment variable ${name} (no such config key)`);
    let leaf: unknown = parseEnvValue(name, raw, entry.schema);
    for (const key of [...entry.path].reverse()) leaf = { [key]: leaf };
    tree = deepMerge(tree, leaf as Tree);
  }
  return tree;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Checks a merged tree against the schema; the first problems are named by dotted key. */
export function validateConfig(tree: unknown): Config {
  if (Value.Check(ConfigSchema, tree)) return tree;
  const problems = [...Value.Errors(ConfigSchema, tree)].slice(0, 5).map((e) => {
    const key = e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    return e.type === ValueErrorType.ObjectAdditionalProperties ? `${key}: unknown key` : `${key}: ${e.message}`;
  });
  throw new FerryError(ErrorCodes.CONFIG_INVALID, `invalid configuration: ${problems.join('; ')}`);
}

export interface LoadOptions {
  /** Override file (from --config); falls back to env.FERRY_CONFIG. */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Extra overrides applied last (tests: ports 0, temp dataDir). */
  readonly overrides?: Tree;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  let tree = readYamlFile(DEFAULT_CONFIG_FILE);
  const file = options.file ?? env.FERRY_CONFIG;
  if (file) tree = deepMerge(tree, readYamlFile(file));
  tree = deepMerge(tree, envOverrides(env));
  if (options.overrides) tree = deepMerge(tree, options.overrides);
  return deepFreeze(validateConfig(tree));
}

/** A copy of the config with every secret replaced by `***` (for `ferry config print`). */
export function maskSecrets(config: Config): Tree {
  const copy = structuredClone(config) as unknown as Tree;
  for (const path of SECRET_PATHS) {
    const keys = path.split('.');
    let node: unknown = copy;
    for (const key of keys.slice(0, -1)) node = isTree(node) ? node[key] : undefined;
    const last = keys[keys.length - 1] as string;
    if (isTree(node) && typeof node[last] === 'string' && node[last] !== '') node[last] = '***';
  }
  return copy;
}
