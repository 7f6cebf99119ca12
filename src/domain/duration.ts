/**
 * Durations written as data: `500ms`, `30s`, `5m`, `1h`, `3d`, and retry schedules such as
 * `5m,10m,30m,1h*4,4h*10` (an entry `X*N` repeats X N times). Pure parsing, no I/O.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration like `5m`; throws RangeError on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new RangeError(`invalid duration "${text}" (expected e.g. 500ms, 30s, 5m, 1h, 3d)`);
  return Math.round(Number(match[1]) * (UNIT_MS[match[2] as string] as number));
}

/** The waits of a retry schedule, in ms, one per retry; throws RangeError when malformed. */
export function parseRetrySchedule(text: string): number[] {
  const waits: number[] = [];
  for (const entry of text.split(',')) {
    const [duration, times = '1'] = entry.trim().split('*');
    const count = Number(times);
    if (!duration || !Number.isInteger(count) || count < 1) throw new RangeError(`invalid retry schedule entry "${entry}"`);
    const ms = parseDuration(duration);
    for (let i = 0; i < count; i++) waits.push(ms);
  }
  if (waits.length === 0) throw new RangeError('empty retry schedule');
  return waits;
}
