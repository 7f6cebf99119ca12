/**
 * IP warm-up: schedules as data (config/warmup.yaml, or egress.warmup.scheduleFile) and the
 * per-site daily cap of a warming IP. Exports loadWarmupSchedules, warmupDay, warmupCap and
 * WarmupSchedules. Pure apart from reading the file. Day N counts 24 h steps from the start of
 * the warm-up; past the end of the schedule the cap is undefined: the IP is warm.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ErrorCodes, FerryError, type IpWarmup } from '../domain/index.ts';
import { bundledDataFile, readDataFile } from '../platform/index.ts';

const Days = Type.Array(Type.Integer({ minimum: 0 }), { minItems: 1 });
const WarmupFile = Type.Object(
  {
    schedules: Type.Record(
      Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
      Type.Object({ days: Days, sites: Type.Optional(Type.Record(Type.String(), Days)) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export type WarmupSchedules = Static<typeof WarmupFile>['schedules'];

const DAY_MS = 86_400_000;

export function loadWarmupSchedules(file: string): WarmupSchedules {
  const path = file || bundledDataFile('warmup.yaml');
  const schedules = readDataFile(path, WarmupFile, 'warm-up schedule file').schedules;
  if (!schedules.default) throw new FerryError(ErrorCodes.CONFIG_INVALID, `warm-up schedule file ${path}: /schedules needs a \`default\` schedule`);
  return schedules;
}

/** The day of the warm-up at `now` (0 on its first 24 h). */
export function warmupDay(warmup: IpWarmup, now: number): number {
  return Math.max(0, Math.floor((now - warmup.startedAt) / DAY_MS));
}

/** When the warm-up day after the one at `now` starts. */
export function nextWarmupDayAt(warmup: IpWarmup, now: number): number {
  return warmup.startedAt + (warmupDay(warmup, now) + 1) * DAY_MS;
}

/** Messages the IP may send to `site` on its warm-up day at `now`; undefined once the schedule is over (warm). */
export function warmupCap(schedules: WarmupSchedules, warmup: IpWarmup, site: string, now: number): number | undefined {
  const schedule = schedules[warmup.schedule] ?? schedules.default;
  if (!schedule) return undefined;
  const days = schedule.sites?.[site] ?? schedule.days;
  return days[warmupDay(warmup, now)];
}

/** True once every list of the schedule (default and per-site) is past its end. */
export function warmupDone(schedules: WarmupSchedules, warmup: IpWarmup, now: number): boolean {
  const schedule = schedules[warmup.schedule] ?? schedules.default;
  if (!schedule) return true;
  const longest = Math.max(schedule.days.length, ...Object.values(schedule.sites ?? {}).map((days) => days.length));
  return warmupDay(warmup, now) >= longest;
}
