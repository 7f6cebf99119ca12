/**
 * How flat records (tenants, API keys) sit in Redis hashes: one field per property, each value
 * JSON-encoded, so a patch sets or deletes single fields inside a script without decoding
 * the record in Lua. Exports toFieldArgs and fromFields (accepts ioredis' HGETALL object or
 * a script's flat [field, value, ...] array); an empty hash reads as undefined.
 */

export function toFieldArgs(record: object): string[] {
  const args: string[] = [];
  for (const [field, value] of Object.entries(record)) {
    if (value !== undefined) args.push(field, JSON.stringify(value));
  }
  return args;
}

export function fromFields<T>(raw: unknown): T | undefined {
  if (raw === null || raw === undefined) return undefined;
  const pairs: [string, string][] = [];
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([String(raw[i]), String(raw[i + 1])]);
  } else if (typeof raw === 'object') {
    for (const [field, value] of Object.entries(raw as Record<string, unknown>)) pairs.push([field, String(value)]);
  }
  if (pairs.length === 0) return undefined;
  return Object.fromEntries(pairs.map(([field, value]) => [field, JSON.parse(value) as unknown])) as T;
}
