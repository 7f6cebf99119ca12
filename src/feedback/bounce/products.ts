/**
 * Reporting products as data (config/bounce-products.yaml): how a product marks every bounce it
 * sends (header / body signatures, never a particular message) and how its verdicts read in its
 * context (e.g. a Google Group refusing a post, in any language). Exports loadBounceProducts,
 * defaultBounceProducts, compileBounceProducts, detectProduct, reinterpret, BounceProduct.
 * Invariant: a bad products file fails at load with MTA_ERR_CONFIG_INVALID naming the entry.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import { isBounceClass, type BounceClass } from './classes.ts';
import { headersNamed, type MimePart } from './mime.ts';

/** One signature: a header of the bounce itself (all occurrences) or `body` (its notification text). */
export interface ProductSignature {
  readonly field: string;
  readonly pattern: RegExp;
}

/** A verdict in the product's context; `when` lists the reasons it replaces (absent: every recipient). */
export interface ProductReading {
  readonly when: readonly string[] | undefined;
  readonly class: BounceClass;
  readonly reason: string;
  readonly hard: boolean | undefined;
}

export interface BounceProduct {
  readonly name: string;
  /** Every signature must match. */
  readonly detect: readonly ProductSignature[];
  readonly readings: readonly ProductReading[];
  /** Relays the next hop's refusal without its SMTP stage: a bare "user unknown" needs corroboration. */
  readonly unknownUserNeedsEvidence: boolean;
  /** Every matching notice is a failure notice, even without the usual bounce markers. */
  readonly alwaysBounce: boolean;
}

export const DEFAULT_PRODUCTS_PATH = fileURLToPath(new URL('../../../config/bounce-products.yaml', import.meta.url));

function invalid(message: string): FerryError {
  return new FerryError(ErrorCodes.CONFIG_INVALID, `bounce products: ${message}`);
}

function compileSignature(entry: unknown, where: string): ProductSignature {
  const { field, match } = (entry ?? {}) as Record<string, unknown>;
  if (typeof field !== 'string' || typeof match !== 'string') throw invalid(`${where}: needs field and match strings`);
  try {
    return { field: field.toLowerCase(), pattern: new RegExp(match, 'imu') };
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message}`);
  }
}

function compileReading(entry: unknown, where: string): ProductReading {
  const { when, class: cls, reason, hard } = (entry ?? {}) as Record<string, unknown>;
  if (typeof cls !== 'string' || !isBounceClass(cls)) throw invalid(`${where}: unknown class ${String(cls)}`);
  if (when !== undefined && (!Array.isArray(when) || !when.every((w) => typeof w === 'string'))) throw invalid(`${where}: when must be a list of reasons`);
  if (reason !== undefined && typeof reason !== 'string') throw invalid(`${where}: reason must be a string`);
  if (hard !== undefined && typeof hard !== 'boolean') throw invalid(`${where}: hard must be true or false`);
  return { when: when as string[] | undefined, class: cls, reason: reason ?? cls, hard };
}

function compileProduct(entry: unknown, index: number): BounceProduct {
  const { name, detect, readings = [], 'unknown-user-needs-evidence': needsEvidence = false, 'always-bounce': alwaysBounce = false } = (entry ?? {}) as Record<string, unknown>;
  const where = `product ${index} (${String(name)})`;
  if (typeof name !== 'string') throw invalid(`product ${index}: name missing`);
  if (!Array.isArray(detect) || detect.length === 0) throw invalid(`${where}: detect must be a non-empty list`);
  if (!Array.isArray(readings)) throw invalid(`${where}: readings must be a list`);
  if (typeof needsEvidence !== 'boolean' || typeof alwaysBounce !== 'boolean') throw invalid(`${where}: unknown-user-needs-evidence and always-bounce must be true or false`);
  if (readings.length === 0 && !needsEvidence) throw invalid(`${where}: says nothing (no readings, no unknown-user-needs-evidence)`);
  return {
    name,
    detect: detect.map((d, i) => compileSignature(d, `${where} signature ${i}`)),
    readings: readings.map((r, i) => compileReading(r, `${where} reading ${i}`)),
    unknownUserNeedsEvidence: needsEvidence,
    alwaysBounce,
  };
}

export function compileBounceProducts(data: unknown): readonly BounceProduct[] {
  const products = (data as { products?: unknown } | null)?.products;
  if (!Array.isArray(products)) throw invalid('top-level `products` list missing');
  return Object.freeze(products.map(compileProduct));
}

export function loadBounceProducts(path: string): readonly BounceProduct[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FerryError(ErrorCodes.CONFIG_FILE, `bounce products: cannot read ${path}`, { cause: error });
  }
  return compileBounceProducts(parseYaml(text));
}

let cached: readonly BounceProduct[] | undefined;

/** The products shipped in config/bounce-products.yaml, loaded once. */
export function defaultBounceProducts(): readonly BounceProduct[] {
  cached ??= loadBounceProducts(DEFAULT_PRODUCTS_PATH);
  return cached;
}

/** Reads the shipped products again (SIGHUP); an invalid file throws and the loaded ones stay. */
export function reloadDefaultBounceProducts(): void {
  cached = loadBounceProducts(DEFAULT_PRODUCTS_PATH);
}

function fieldText(root: MimePart, body: string, field: string): string {
  return field === 'body' ? body : headersNamed(root, field).join('\n');
}

/** The first product all of whose signatures match this bounce (its own headers and notification text). */
export function detectProduct(products: readonly BounceProduct[], root: MimePart, body: string): BounceProduct | undefined {
  return products.find((product) => product.detect.every((s) => s.pattern.test(fieldText(root, body, s.field))));
}

/** The product's reading of a verdict with this reason, if it has one. */
export function reinterpret(product: BounceProduct, reason: string): ProductReading | undefined {
  return product.readings.find((r) => r.when === undefined || r.when.includes(reason));
}
