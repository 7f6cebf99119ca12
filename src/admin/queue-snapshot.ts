/**
 * The relay's in-memory egress-path queues, published for other processes: every interval the
 * relay writes `delivery.queues()` with its timestamp to `<dataDir>/queues.json` (write to a temp
 * file, then rename: readers never see half a file). `ferry queue` (a separate process) reads it
 * and shows its age, so a stale snapshot from a dead relay is visible as such.
 * Exports startQueueSnapshots, readQueueSnapshot, queueSnapshotFile, QueueSnapshot.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EgressQueueInfo } from '../delivery/index.ts';
import type { Logger } from '../platform/index.ts';

export interface QueueSnapshot {
  /** When the relay took the snapshot (ms since epoch). */
  readonly at: number;
  readonly nodeId: string;
  readonly pid: number;
  readonly egressPaths: readonly EgressQueueInfo[];
}

export interface QueueSnapshotWriter {
  /** Writes one snapshot now (also called on every tick). */
  writeNow(): Promise<void>;
  /** Stops the timer and removes the file: no relay, no per-path queues. */
  stop(): Promise<void>;
}

export function queueSnapshotFile(dataDir: string): string {
  return join(dataDir, 'queues.json');
}

export interface QueueSnapshotOptions {
  readonly dataDir: string;
  readonly nodeId: string;
  readonly intervalMs: number;
  readonly queues: () => readonly EgressQueueInfo[];
  readonly log: Logger;
  readonly now?: () => number;
}

export function startQueueSnapshots(options: QueueSnapshotOptions): QueueSnapshotWriter {
  const file = queueSnapshotFile(options.dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  const now = options.now ?? Date.now;
  let writing: Promise<void> = Promise.resolve();
  let stopped = false;

  async function write(): Promise<void> {
    const snapshot: QueueSnapshot = { at: now(), nodeId: options.nodeId, pid: process.pid, egressPaths: options.queues() };
    await writeFile(temp, JSON.stringify(snapshot));
    await rename(temp, file);
  }
  function writeNow(): Promise<void> {
    // One write at a time: a slow disk never stacks up renames of the same temp file.
    writing = writing.then(() => (stopped ? undefined : write())).catch((error: unknown) => {
      options.log.warn({ err: error, file }, 'queue snapshot write failed');
    });
    return writing;
  }
  const timer = setInterval(() => void writeNow(), options.intervalMs);
  timer.unref();
  void writeNow();
  return {
    writeNow,
    async stop() {
      clearInterval(timer);
      await writing;
      stopped = true;
      await rm(file, { force: true });
    },
  };
}

/** The last snapshot, or undefined when no relay has written one (or the file is unreadable). */
export async function readQueueSnapshot(dataDir: string): Promise<QueueSnapshot | undefined> {
  try {
    return JSON.parse(await readFile(queueSnapshotFile(dataDir), 'utf8')) as QueueSnapshot;
  } catch {
    return undefined;
  }
}
