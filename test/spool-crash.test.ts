/**
 * kill -9 under load loses no acknowledged message (architecture §5). A child process
 * (test/support/spool-writer.ts) accepts messages with 50 concurrent writers and prints each id
 * only after its accept resolved; once ≥ 2,000 acks are printed, and while accepts are still in
 * flight, the child is SIGKILLed. The spool is reopened and every printed id must be there.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { openLocalDatabase } from '../src/platform/localdb.ts';
import { openSpool } from '../src/spool/index.ts';

const WRITER = fileURLToPath(new URL('./support/spool-writer.ts', import.meta.url));
const ACKS_BEFORE_KILL = 2_000;

interface KillReport {
  acked: Set<string>;
  inFlightAtKill: number;
  signal: NodeJS.Signals | null;
}

/** Runs the writer until ACKS_BEFORE_KILL acks were read, then SIGKILLs it. */
async function runAndKill(dataDir: string): Promise<KillReport> {
  const child = spawn(process.execPath, [WRITER, dataDir, '50', '200000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Set<string>();
  const started = new Set<string>();
  let inFlightAtKill = -1;
  const lines = createInterface({ input: child.stdout });
  // Lines already in the pipe when the child died were acked before the kill: read to the end.
  const drained = new Promise((resolve) => lines.once('close', resolve));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  lines.on('line', (line) => {
    if (line.startsWith('+')) started.add(line.slice(1));
    else if (line) acked.add(line);
    if (inFlightAtKill < 0 && acked.size >= ACKS_BEFORE_KILL) {
      inFlightAtKill = started.size - acked.size;
      child.kill('SIGKILL');
    }
  });
  const [signal] = await Promise.all([exited, drained]);
  clearTimeout(deadline);
  return { acked, inFlightAtKill, signal };
}

t.test('every acknowledged accept survives SIGKILL mid-load', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-spool-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

  const report = await runAndKill(dataDir);
  t.equal(report.signal, 'SIGKILL', 'the writer was killed, not finished');
  t.ok(report.acked.size >= ACKS_BEFORE_KILL, `${report.acked.size} acks printed before the kill`);
  t.ok(report.inFlightAtKill > 0, `${report.inFlightAtKill} accepts were in flight at the kill`);

  const db = openLocalDatabase(dataDir);
  const spool = openSpool(db);
  t.teardown(async () => {
    await spool.close();
    await db.close();
  });
  const missing: string[] = [];
  for (const id of report.acked) {
    const message = await spool.getMessage(id);
    const deliveries = await spool.listDeliveries(id);
    if (message?.id !== id || message.body.length !== 5 * 1024 || deliveries.length !== 2) missing.push(id);
  }
  t.same(missing.slice(0, 5), [], `all ${report.acked.size} acked messages are in the spool with both deliveries`);
  const stats = await spool.stats();
  t.ok(stats.messages >= report.acked.size, `spool holds ${stats.messages} ≥ ${report.acked.size} messages`);
  t.equal(stats.scheduled, stats.messages * 2, 'every stored message has its deliveries scheduled (atomic accept)');
  t.equal(await spool.recover(Date.now()), 0, 'nothing was active');
});
