/**
 * A real rspamd (the Debian package, /usr/bin/rspamd) started by the tests themselves, in the
 * foreground, with its own temp folders and free loopback ports (recipe:
 * /work/shared/recipes/rspamd.md), its DNS pointed at a real test DNS server that answers
 * NXDOMAIN (no lookups leave the machine, and none waits on a missing resolver).
 * Exports rspamdAvailable() and startRspamd() → { url, stop() }; stop() ends only the PID started here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { startDnsServer, type TestDnsServer } from './dns-server.ts';

export const RSPAMD_BINARY = '/usr/bin/rspamd';

export function rspamdAvailable(): boolean {
  return existsSync(RSPAMD_BINARY);
}

export interface RunningRspamd {
  /** The normal worker, e.g. http://127.0.0.1:41833 (POST /checkv2). */
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address !== 'object') throw new Error('no free port');
  return address.port;
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`rspamd exited with ${child.exitCode} before it was ready`);
    try {
      const response = await request(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
      const text = await response.body.text();
      if (response.statusCode === 200 && text.includes('pong')) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`rspamd not ready within ${timeoutMs} ms`);
}

function writeLocalConfig(dir: string, ports: { normal: number; controller: number; proxy: number }, dns: TestDnsServer): void {
  mkdirSync(join(dir, 'db'));
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'local.d'));
  const local = (name: string, text: string) => writeFileSync(join(dir, 'local.d', name), `${text}\n`);
  local('worker-normal.inc', `bind_socket = "127.0.0.1:${ports.normal}";\ncount = 1;`);
  local('worker-controller.inc', `bind_socket = "127.0.0.1:${ports.controller}";\ncount = 1;`);
  local('worker-proxy.inc', `bind_socket = "127.0.0.1:${ports.proxy}";\ncount = 1;`);
  local('worker-fuzzy.inc', 'enabled = false;');
  local('options.inc', `dns { nameserver = ["${dns.hostPort}"]; timeout = 1s; retransmits = 1; }`);
  local('redis.conf', '');
}

export async function startRspamd(options: { readyTimeoutMs?: number } = {}): Promise<RunningRspamd> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-rspamd-'));
  const dns = await startDnsServer({});
  const ports = { normal: await freePort(), controller: await freePort(), proxy: await freePort() };
  writeLocalConfig(dir, ports, dns);
  const child = spawn(
    RSPAMD_BINARY,
    ['-f', '-u', 'root', '-g', 'root', '-c', '/etc/rspamd/rspamd.conf', `LOCAL_CONFDIR=${dir}`, `DBDIR=${join(dir, 'db')}`, `RUNDIR=${join(dir, 'run')}`, `LOGDIR=${dir}`],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${ports.normal}`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) child.kill('SIGKILL');
      await exited;
      await dns.stop();
      rmSync(dir, { recursive: true, force: true });
    })());
  try {
    await waitUntilReady(url, child, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid ?? 0, stop };
}
