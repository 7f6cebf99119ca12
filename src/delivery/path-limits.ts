/**
 * The limits of one egress path (sending IP × site): `delivery.limits`, overridden key by key by
 * the matching `delivery.sites[].limits`. Exports pathLimits and PathLimits. Pure.
 * maxMessagesPerSecond 0 means unlimited.
 */
import type { Config } from '../config/index.ts';

export interface PathLimits {
  readonly maxConnections: number;
  readonly maxMessagesPerConnection: number;
  readonly maxMessagesPerSecond: number;
}

export function pathLimits(config: Config, site: string): PathLimits {
  const override = config.delivery.sites.find((entry) => entry.name === site)?.limits ?? {};
  return {
    maxConnections: override.maxConnections ?? config.delivery.limits.maxConnections,
    maxMessagesPerConnection: override.maxMessagesPerConnection ?? config.delivery.limits.maxMessagesPerConnection,
    maxMessagesPerSecond: override.maxMessagesPerSecond ?? config.delivery.limits.maxMessagesPerSecond,
  };
}
