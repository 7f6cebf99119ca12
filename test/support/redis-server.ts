/**
 * A real redis-server (Debian's /usr/bin/redis-server) for tests: 127.0.0.1, a free ephemeral
 * port, no persistence (`--save '' --appendonly no`), its own temp dir. Exports
 * startRedisServer() → RedisServer with stop(), kill()/restart() (same port, empty data) and
 * pause()/resume() (SIGSTOP/SIGCONT: the socket stays open but nothing answers).
 * startSentinel(server) runs `redis-server --sentinel` watching that server as master `mymaster`.
 * A process exit hook kills every server still running, so a failing test leaves none behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGKILL) and removes its dir. */
  stop(): Promise<void>;
  /** Kills the process at once (Redis "goes away"). */
  kill(): Promise<void>;
  /** Starts a fresh process on the same port. */
  restart(): Promise<void>;
  pause(): void;
  resume(): void;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function spawnRedis(port: number, dir: string): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
  const child = spawn('/usr/bin/redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

async function waitUntilListening(child: ChildProcess, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (port ${port})`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Retries on another port when the picked one was taken between the probe and the bind. */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    const child = spawnRedis(port, dir);
    try {
      await waitUntilListening(child, port);
      return serverHandle(child, port, dir);
    } catch (error) {
      lastError = error;
      await killAndWait(child);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

function serverHandle(first: ChildProcess, port: number, dir: string): RedisServer {
  let child = first;
  return {
    host: '127.0.0.1',
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await killAndWait(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      await killAndWait(child);
    },
    async restart() {
      await killAndWait(child);
      child = spawnRedis(port, dir);
      await waitUntilListening(child, port);
    },
    pause() {
      child.kill('SIGSTOP');
    },
    resume() {
      child.kill('SIGCONT');
    },
  };
}

export interface RedisSentinel {
  readonly host: string;
  readonly port: number;
  readonly masterName: string;
  stop(): Promise<void>;
}

/** A Sentinel (quorum 1) that knows `server` as master `mymaster`. */
export async function startSentinel(server: RedisServer): Promise<RedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(conf, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor mymaster 127.0.0.1 ${server.port} 1\n`);
  const child = spawn('/usr/bin/redis-server', [conf, '--sentinel', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  try {
    await waitUntilListening(child, port);
  } catch (error) {
    await killAndWait(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    masterName: 'mymaster',
    async stop() {
      await killAndWait(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
