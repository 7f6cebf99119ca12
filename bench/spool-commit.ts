/**
 * Spool storage micro-benchmark (docs/decisions/0001-spool-storage.md): acks/s and commit latency
 * p50/p99 for N concurrent writers of M-byte messages, each durable (fsync'd) before its ack.
 * Candidates: the real LMDB spool (lmdb-js async batches, sync inside commit); raw lmdb-js with
 * overlappingSync + `await db.flushed`; node:sqlite (WAL, synchronous=FULL, one transaction per
 * batch, in a worker thread so the event loop never waits on fsync); one append-only segment file
 * with one fdatasync per batch. Runs interleaved, median of R runs. Usage:
 *   node bench/spool-commit.ts [--seconds 3] [--runs 3] [--writers 50] [--size 5120]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { open as openLmdb } from 'lmdb';
import { openLocalDatabase } from '../src/platform/localdb.ts';
import { openSpool } from '../src/spool/index.ts';
import { newMessageId, type AcceptedMessage } from '../src/domain/index.ts';

interface Candidate {
  readonly name: string;
  accept(id: string, body: Buffer): Promise<void>;
  close(): Promise<void>;
  /** Commits issued, when the candidate can count them (group-commit batch size = acks / commits). */
  commits?(): number;
}

/** Classic group commit: whatever arrives while a commit runs goes into the next one. */
function groupCommitter<T>(commit: (items: T[]) => Promise<void>) {
  let pending: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];
  let running = false;
  let commits = 0;
  async function drain(): Promise<void> {
    running = true;
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      commits++;
      try {
        await commit(batch.map((entry) => entry.item));
        for (const entry of batch) entry.resolve();
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
    running = false;
  }
  return {
    submit(item: T): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        if (!running) void drain();
      });
    },
    commits: () => commits,
  };
}

function spoolCandidate(dir: string): Candidate {
  const db = openLocalDatabase(dir);
  const spool = openSpool(db);
  const message = (id: string, body: Buffer): AcceptedMessage => ({
    id, tenantId: 'tn_bench', envelope: { mailFrom: 'a@s.test', rcptTo: ['r@d.test'] }, fromDomain: 's.test',
    receivedAt: Date.now(), clientIp: '127.0.0.1', size: body.length, body,
  });
  return countResolutionTurns({
    name: 'lmdb spool (async batch, sync in commit)',
    accept: async (id, body) => void (await spool.accept(message(id, body), Date.now() + 86_400_000)),
    close: async () => { await spool.close(); await db.close(); },
  });
}

function lmdbOverlappingCandidate(dir: string): Candidate {
  const db = openLmdb({ path: join(dir, 'ov.lmdb'), noSync: false, overlappingSync: true, maxDbs: 8, mapSize: 2 ** 34 });
  const messages = db.openDB<{ id: string; body: Buffer }, string>('m', {});
  return countResolutionTurns({
    name: 'lmdb raw (overlappingSync, await flushed)',
    accept: async (id, body) => {
      await messages.put(id, { id, body });
      await db.flushed;
    },
    close: () => db.close(),
  });
}

const SQLITE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;');
db.exec('CREATE TABLE messages(id TEXT PRIMARY KEY, meta TEXT, body BLOB); CREATE TABLE deliveries(id TEXT PRIMARY KEY, data TEXT); CREATE TABLE schedule(due INTEGER, id TEXT, PRIMARY KEY(due, id));');
const insMessage = db.prepare('INSERT INTO messages VALUES (?, ?, ?)');
const insDelivery = db.prepare('INSERT INTO deliveries VALUES (?, ?)');
const insSchedule = db.prepare('INSERT INTO schedule VALUES (?, ?)');
parentPort.on('message', ({ seq, items }) => {
  db.exec('BEGIN');
  for (const { id, body } of items) {
    const now = Date.now();
    insMessage.run(id, JSON.stringify({ tenantId: 'tn_bench', receivedAt: now }), body);
    insDelivery.run(id + ':0', JSON.stringify({ state: 'scheduled', dueAt: now }));
    insSchedule.run(now, id + ':0');
  }
  db.exec('COMMIT');
  parentPort.postMessage(seq);
});`;

function sqliteCandidate(dir: string): Candidate {
  const worker = new Worker(SQLITE_WORKER, { eval: true, workerData: { path: join(dir, 'spool.sqlite') } });
  const waiting = new Map<number, () => void>();
  worker.on('message', (seq: number) => waiting.get(seq)?.());
  let seq = 0;
  const committer = groupCommitter<{ id: string; body: Buffer }>(
    (items) =>
      new Promise<void>((resolve) => {
        const mine = ++seq;
        waiting.set(mine, () => { waiting.delete(mine); resolve(); });
        worker.postMessage({ seq: mine, items });
      }),
  );
  return {
    name: 'node:sqlite (WAL, synchronous=FULL, worker)',
    accept: (id, body) => committer.submit({ id, body }),
    close: async () => void (await worker.terminate()),
    commits: committer.commits,
  };
}

async function segmentCandidate(dir: string): Promise<Candidate> {
  const file = await openFile(join(dir, 'segment-000001.log'), 'a');
  const committer = groupCommitter<Buffer[]>(async (records) => {
    await file.writev(records.flat());
    await file.datasync();
  });
  return {
    name: 'segment file (writev + fdatasync per batch)',
    accept: (id, body) => {
      const header = Buffer.alloc(4 + Buffer.byteLength(id));
      header.writeUInt32BE(body.length);
      header.write(id, 4);
      return committer.submit([header, body]);
    },
    close: () => file.close(),
    commits: committer.commits,
  };
}

/** For lmdb-js, which commits on its own thread: count the event-loop turns in which acks resolved. */
function countResolutionTurns(candidate: Candidate): Candidate {
  let turns = 0;
  let inTurn = false;
  return {
    ...candidate,
    accept: async (id, body) => {
      await candidate.accept(id, body);
      if (inTurn) return;
      inTurn = true;
      turns++;
      setImmediate(() => (inTurn = false));
    },
    commits: () => turns,
  };
}

interface RunResult { acks: number; seconds: number; p50: number; p99: number; commits?: number }

async function runOnce(candidate: Candidate, writers: number, size: number, seconds: number): Promise<RunResult> {
  const body = Buffer.alloc(size, 'm');
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  async function writer(): Promise<void> {
    while (performance.now() < end) {
      const t0 = performance.now();
      await candidate.accept(newMessageId(), body);
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: writers }, () => writer()));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { acks: latencies.length, seconds: elapsed, p50: at(0.5), p99: at(0.99), commits: candidate.commits?.() };
}

const FACTORIES: Array<(dir: string) => Candidate | Promise<Candidate>> = [
  spoolCandidate, lmdbOverlappingCandidate, sqliteCandidate, segmentCandidate,
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '3' }, runs: { type: 'string', default: '3' },
      writers: { type: 'string', default: '50' }, size: { type: 'string', default: '5120' } },
  });
  const [seconds, runs, writers, size] = [values.seconds, values.runs, values.writers, values.size].map(Number) as
    [number, number, number, number];
  console.log(`# spool commit bench: ${writers} writers, ${size} B messages, ${seconds}s × ${runs} runs (interleaved)`);
  console.log(`# node ${process.version}, ${cpus().length} cpus, loadavg at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const results = new Map<string, RunResult[]>();
  for (let run = 0; run < runs; run++) {
    for (const factory of FACTORIES) {
      const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-spool-'));
      const candidate = await factory(dir);
      const result = await runOnce(candidate, writers, size, seconds);
      await candidate.close();
      rmSync(dir, { recursive: true, force: true });
      results.set(candidate.name, [...(results.get(candidate.name) ?? []), result]);
    }
  }
  console.log('\n| candidate | acks/s (median) | acks/s (runs) | p50 ms | p99 ms | acks per commit* |');
  console.log('| --- | ---: | --- | ---: | ---: | ---: |');
  for (const [name, rs] of results) {
    const rates = rs.map((r) => r.acks / r.seconds);
    const median = [...rs].sort((a, b) => a.acks / a.seconds - b.acks / b.seconds)[Math.floor(rs.length / 2)]!;
    const perCommit = median.commits ? (median.acks / median.commits).toFixed(1) : 'n/a';
    console.log(`| ${name} | ${Math.round(median.acks / median.seconds)} | ${rates.map(Math.round).join(', ')} | ` +
      `${median.p50.toFixed(2)} | ${median.p99.toFixed(2)} | ${perCommit} |`);
  }
  console.log('\n*lmdb: acks per event-loop turn in which acks resolved (≈ per commit); others: counted commits.');
  console.log(`# loadavg at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

await main();
