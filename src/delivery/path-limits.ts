/**
 * The limits of one egress path (sending IP × site), key by key: `delivery.limits`, then the
 * shaping file's defaults for the site, then the matching `delivery.sites[].limits` (explicit
 * config wins). Exports pathLimits and PathLimits. Pure.
 * maxMessagesPerSecond 0 means unlimited; maxMessagesPerHour absent or 0 means unlimited.
 */
import type { Config } from '../config/index.ts';

export interface PathLimits {
  readonly maxConnections: number;
  readonly maxMessagesPerConnection: number;
  readonly maxMessagesPerSecond: number;
  /** Sends per sliding hour on the path; absent = unlimited. */
  readonly maxMessagesPerHour?: number;
}

export function pathLimits(config: Config, site: string, siteDefaults: Partial<PathLimits> = {}): PathLimits {
  const merged = { ...config.delivery.limits, ...siteDefaults, ...config.delivery.sites.find((entry) => entry.name === site)?.limits };
  return {
    maxConnections: merged.maxConnections,
    maxMessagesPerConnection: merged.maxMessagesPerConnection,
    maxMessagesPerSecond: merged.maxMessagesPerSecond,
    ...(merged.maxMessagesPerHour !== undefined && merged.maxMessagesPerHour > 0 && { maxMessagesPerHour: merged.maxMessagesPerHour }),
  };
}
