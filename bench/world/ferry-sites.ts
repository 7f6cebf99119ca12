/**
 * Prints the `delivery.sites` and `delivery.limits` Ferry needs for a world scenario, as one JSON
 * object (valid YAML flow style, pasted into the bench config by bench/run-world.sh):
 *   node bench/world/ferry-sites.ts SCENARIO  →  {"sites":[{name, mx, limits}...],"limits":{...}}
 * A site without MX patterns (the small domains: each is its own site) sets the default limits.
 * Exports ferrySettings (pure).
 */
import { readFile } from 'node:fs/promises';
import { parseScenario, type Scenario } from './scenario.ts';

const DEFAULT_LIMITS = { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 };

export function ferrySettings(scenario: Scenario) {
  const sites = scenario.sites.filter((s) => s.ferry.mx.length > 0).map((s) => ({ name: s.name, mx: s.ferry.mx, limits: s.ferry.limits }));
  const defaults = scenario.sites.find((s) => s.ferry.mx.length === 0)?.ferry.limits ?? {};
  return { sites, limits: { ...DEFAULT_LIMITS, ...defaults } };
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: ferry-sites.ts SCENARIO');
  process.stdout.write(`${JSON.stringify(ferrySettings(parseScenario(await readFile(file, 'utf8'))))}\n`);
}
