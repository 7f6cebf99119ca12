/**
 * Several processes accepting SMTP on one node (`ingress.processes: 2`): a real `ferry serve` forks
 * an ingress-only worker listening on the same ports (SO_REUSEPORT). Connections land on both
 * processes (socket owners seen with `ss`), every accepted message is delivered by the relay, the
 * worker's sessions and records reach the relay's /metrics, SIGTERM stops both, and a worker whose
 * relay was SIGKILLed exits by itself.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { runCli, startRelayProcess } from './support/relay-process.ts';
import { startSmtpSink } from './support/smtp-sink.ts';
import { runSessions } from './two-nodes-cluster.ts';

const execFileAsync = promisify(execFile);
const SESSIONS = 20;
const PER_SESSION = 10;

/** Pids owning established connections on this local port. */
async function socketOwners(port: number): Promise<Set<number>> {
  const { stdout } = await execFileAsync('ss', ['-tnpH', 'state', 'established', `( sport = :${port} )`]);
  return new Set([...stdout.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
}

function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  try {
    return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

t.test('two processes share the submission port; the relay delivers and counts what the worker accepted', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.27.2' });
  t.teardown(() => sink.stop());
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-procs-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = { FERRY_INGRESS_PROCESSES: '2', FERRY_FILTER_ENABLED: 'false', FERRY_DELIVERY_ROUTES: JSON.stringify({ '*': `127.0.27.2:${sink.port}` }) };
  await runCli(dataDir, ['tenant', 'add', 'multi'], env);
  await runCli(dataDir, ['domain', 'add', 'multi', 'multi.test'], env);
  const apiKey = (JSON.parse(await runCli(dataDir, ['--json', 'key', 'add', 'multi'], env)) as { key: string }).key;
  const relay = await startRelayProcess(dataDir, env);
  t.teardown(() => relay.kill('SIGKILL'));
  const workers = childrenOf(relay.child.pid as number);
  t.equal(workers.length, 1, 'one ingress worker forked');

  const port = relay.ports.submission;
  let owners = new Set<number>();
  const results = await runSessions(Array.from({ length: SESSIONS }, (_, i) => ({
    port, apiKey, domain: 'multi.test', transactions: PER_SESSION,
    // look at the socket owners while every session is open
    until: () => {
      if (i === 0 && owners.size < 2) void socketOwners(port).then((found) => (owners = found));
      return false;
    },
  })));
  t.equal(results.filter((r) => r.code === 250).length, SESSIONS * PER_SESSION, 'every message accepted');
  t.same([...owners].sort(), [relay.child.pid as number, workers[0] as number].sort(), 'connections on both processes');
  await sink.waitForMessages(SESSIONS * PER_SESSION, 60_000);
  t.equal(sink.messages.length, SESSIONS * PER_SESSION, 'the relay delivered every message, whichever process accepted it');

  const metricsPort = (relay.ports as unknown as { metrics: number }).metrics;
  await new Promise((resolve) => setTimeout(resolve, 200)); // the worker's last batch (25 ms)
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const sessions = Number(/^ferry_ingress_sessions_total (\d+)/m.exec(text)?.[1]);
  const receptions = [...text.matchAll(/^ferry_outcomes_total\{type="Reception"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  t.equal(sessions, SESSIONS, 'sessions of both processes counted');
  t.equal(receptions, SESSIONS * PER_SESSION, 'Reception records of both processes counted');

  t.equal(await relay.kill('SIGTERM'), 0, 'SIGTERM: the relay stops cleanly');
  t.ok(await until(() => !alive(workers[0] as number), 15_000), 'and its worker with it');
});

t.test('a worker whose relay was killed exits by itself', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-procs-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const relay = await startRelayProcess(dataDir, { FERRY_INGRESS_PROCESSES: '2', FERRY_DELIVERY_ENABLED: 'false' });
  const workers = childrenOf(relay.child.pid as number);
  t.equal(workers.length, 1);
  await relay.kill('SIGKILL');
  t.ok(await until(() => !alive(workers[0] as number), 15_000), 'the orphaned worker exited');
});
