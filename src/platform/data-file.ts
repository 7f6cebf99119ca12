/**
 * Rule and schedule data files (YAML) read and validated against a TypeBox schema: one error
 * shape for all of them — MTA_ERR_CONFIG_FILE when the file cannot be read, MTA_ERR_CONFIG_INVALID
 * naming the file and the offending key otherwise, like the config itself. Exports readDataFile,
 * parseDataText and bundledDataFile (a path inside the repository's config/).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, FerryError } from '../domain/index.ts';

/** `bundledDataFile('warmup.yaml')` → the absolute path of config/warmup.yaml in this checkout. */
export function bundledDataFile(name: string): string {
  return fileURLToPath(new URL(`../../config/${name}`, import.meta.url));
}

/** Parses YAML text and validates it; `source` names the file in errors. */
export function parseDataText<S extends TSchema>(text: string, source: string, schema: S, what: string): Static<S> {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (cause) {
    throw new FerryError(ErrorCodes.CONFIG_INVALID, `${what} ${source} is not valid YAML: ${(cause as Error).message}`, { cause });
  }
  const error = Value.Errors(schema, data).First();
  if (error) throw new FerryError(ErrorCodes.CONFIG_INVALID, `${what} ${source}: ${error.path || '/'} ${error.message}`);
  return data as Static<S>;
}

/** Reads and validates a data file; an unreadable file is MTA_ERR_CONFIG_FILE. */
export function readDataFile<S extends TSchema>(path: string, schema: S, what: string): Static<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FerryError(ErrorCodes.CONFIG_FILE, `${what} ${path} cannot be read: ${(cause as Error).message}`, { cause });
  }
  return parseDataText(text, path, schema, what);
}
