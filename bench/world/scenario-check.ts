/**
 * Value checks for scenario files (pure): each returns the checked value or throws an Error naming
 * the key, so a bad scenario stops the world before any port is bound.
 * Exports obj, list, str, num, share, durationMs, checkKeys.
 */

export function obj(value: unknown, where: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: must be a mapping`);
  return value as Record<string, unknown>;
}

export function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${where}: must be a list`);
  return value;
}

export function str(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${where}: must be a non-empty string`);
  return value;
}

export function num(value: unknown, where: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new Error(`${where}: must be a number >= ${min}`);
  return value;
}

export function share(value: unknown, where: string): number {
  const n = num(value, where, 0);
  if (n > 1) throw new Error(`${where}: must be a share between 0 and 1`);
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `250ms`, `3s`, `1m` → milliseconds. */
export function durationMs(value: unknown, where: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(String(value));
  if (!match) throw new Error(`${where}: must be a duration like 500ms, 3s or 1m`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

export function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) throw new Error(`${where}: unknown key ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`);
}
