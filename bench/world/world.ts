/**
 * The simulated receiving world, one process: the DNS server (zone generated from the scenario, the
 * test support server reused) and one receiver per address, with the counts served as JSON over
 * local HTTP (`GET /counts`, `GET /domains`) and written to a file at the end.
 *   node bench/world/world.ts --scenario bench/world/scenarios/mixed.yaml [--port 25] [--http-port 0]
 *        [--ready-file F] [--counts-file F]      (runs until SIGTERM / SIGINT)
 * Exports startWorld (tests start it in-process, port 0). Loopback addresses only.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startDnsServer, type TestDnsServer } from '../../test/support/dns-server.ts';
import { WorldCounters } from './counters.ts';
import { createSharedRules, startReceiver, type RunningReceiver } from './receiver.ts';
import { parseScenario, type World } from './scenario.ts';
import { expandWorld } from './world-expand.ts';

export interface RunningWorld {
  readonly world: World;
  readonly dns: TestDnsServer;
  readonly receivers: readonly RunningReceiver[];
  readonly counters: WorldCounters;
  readonly httpPort: number;
  stop(): Promise<void>;
}

function fateSummary(world: World): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const d of world.domains) {
    const bySite = (out[d.siteClass] ??= {});
    bySite[d.fate] = (bySite[d.fate] ?? 0) + 1;
  }
  return out;
}

async function startHttp(counters: WorldCounters, world: World, port: number): Promise<Server> {
  const http = createServer((request, response) => {
    const body =
      request.url === '/counts' ? counters.snapshot()
      : request.url === '/domains' ? { fates: fateSummary(world), domains: world.domains.map((d) => ({ domain: d.domain, site: d.siteClass, fate: d.fate })) }
      : undefined;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { error: 'GET /counts or /domains' }));
  });
  http.listen(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => http.once('listening', resolve).once('error', reject));
  return http;
}

/** Starts DNS, every receiver (on `port`, 25 for a real run) and the counts endpoint. */
export async function startWorld(world: World, options: { port: number; httpPort: number }): Promise<RunningWorld> {
  for (const r of world.receivers) if (!r.address.startsWith('127.')) throw new Error(`receiver address ${r.address} is not loopback`);
  const counters = new WorldCounters();
  const rules = createSharedRules(counters);
  const dns = await startDnsServer(world.zone);
  const receivers: RunningReceiver[] = [];
  try {
    for (const spec of world.receivers) receivers.push(await startReceiver(spec, rules, options.port));
  } catch (error) {
    await Promise.all(receivers.map((r) => r.stop()));
    await dns.stop();
    throw error;
  }
  const http = await startHttp(counters, world, options.httpPort);
  return {
    world,
    dns,
    receivers,
    counters,
    httpPort: (http.address() as AddressInfo).port,
    async stop() {
      await Promise.all([...receivers.map((r) => r.stop()), dns.stop(), new Promise<void>((resolve) => http.close(() => resolve()))]);
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scenario: { type: 'string' }, port: { type: 'string', default: '25' }, 'http-port': { type: 'string', default: '0' }, 'ready-file': { type: 'string' }, 'counts-file': { type: 'string' } },
  });
  if (!values.scenario) throw new Error('usage: world.ts --scenario FILE [--port 25] [--http-port 0] [--ready-file F] [--counts-file F]');
  const world = expandWorld(parseScenario(await readFile(values.scenario, 'utf8')));
  const running = await startWorld(world, { port: Number(values.port), httpPort: Number(values['http-port']) });
  const ready = { pid: process.pid, dns: running.dns.hostPort, httpPort: running.httpPort, receivers: running.receivers.length, domains: world.domains.length, fates: fateSummary(world) };
  if (values['ready-file']) await writeFile(values['ready-file'], JSON.stringify(ready));
  process.stderr.write(`world ${world.scenario.name}: ${JSON.stringify(ready)}\n`);
  const finish = async () => {
    if (values['counts-file']) await writeFile(values['counts-file'], JSON.stringify(running.counters.snapshot()));
    await Promise.race([running.stop(), new Promise((r) => setTimeout(r, 3000))]);
    process.exit(0);
  };
  process.once('SIGTERM', () => void finish());
  process.once('SIGINT', () => void finish());
}

if (import.meta.main) await main();
