/**
 * A small worker_threads pool for DKIM signing, so RSA signing and body hashing (≈1.3 ms per
 * 10 KB message with rsa + ed25519, measured in docs/decisions/0004-dkim-signing.md) stay off
 * the event loop. Exports createDkimPool → { sign, close }; `sign` has signMessage's shape.
 * Jobs go to the worker with the fewest in flight; a worker that dies fails its jobs and is
 * replaced. Workers are unref'd: an idle pool never keeps the process alive.
 * Jobs asked for in one turn of the event loop travel together: one postMessage per worker per
 * turn (at setImmediate), one reply per batch. Under load a message then costs a share of one
 * cross-thread wake-up instead of two of its own, and a keys array shared by the batch's jobs
 * (the signer caches it per domain) is serialised once.
 */
import { Worker } from 'node:worker_threads';
import type { SigningKey } from './dkim.ts';

interface PendingJob {
  readonly resolve: (signatures: string) => void;
  readonly reject: (error: Error) => void;
}

/** One job as it crosses to the worker. */
export interface SignJob {
  readonly id: number;
  readonly body: Uint8Array;
  readonly keys: readonly SigningKey[];
  readonly signTime: number;
}

/** One job's answer from the worker: its signatures, or why there are none. */
export interface SignReply {
  readonly id: number;
  readonly signatures?: string;
  readonly error?: string;
}

interface PoolWorker {
  worker: Worker;
  readonly jobs: Map<number, PendingJob>;
  /** Jobs asked for in this turn, not posted yet. */
  batch: SignJob[];
}

export interface DkimPool {
  sign(body: Buffer, keys: readonly SigningKey[], signTime: Date): Promise<string>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./dkim-worker.ts', import.meta.url);
/** At most this many jobs per message to a worker: the first job's answer waits for the batch. */
const MAX_BATCH = 16;

export function createDkimPool(size: number): DkimPool {
  let nextId = 1;
  let closed = false;
  const workers: PoolWorker[] = [];

  function spawn(slot: PoolWorker | undefined): PoolWorker {
    const entry: PoolWorker = slot ?? { worker: undefined as unknown as Worker, jobs: new Map(), batch: [] };
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (replies: readonly SignReply[]) => {
      for (const reply of replies) {
        const job = entry.jobs.get(reply.id);
        if (!job) continue;
        entry.jobs.delete(reply.id);
        if (reply.error !== undefined) job.reject(new Error(reply.error));
        else job.resolve(reply.signatures ?? '');
      }
      if (entry.jobs.size === 0) worker.unref();
    });
    worker.on('error', (error) => failAll(entry, error));
    worker.on('exit', () => {
      failAll(entry, new Error('DKIM worker exited'));
      if (!closed && entry.worker === worker) spawn(entry);
    });
    entry.worker = worker;
    return entry;
  }

  function failAll(entry: PoolWorker, error: Error): void {
    entry.batch = [];
    for (const job of entry.jobs.values()) job.reject(error);
    entry.jobs.clear();
  }

  function post(entry: PoolWorker): void {
    const batch = entry.batch;
    if (batch.length === 0) return;
    entry.batch = [];
    entry.worker.postMessage(batch);
  }

  for (let i = 0; i < Math.max(1, size); i++) workers.push(spawn(undefined));

  return {
    sign(body, keys, signTime) {
      if (closed) return Promise.reject(new Error('DKIM pool is closed'));
      const entry = workers.reduce((best, candidate) => (candidate.jobs.size < best.jobs.size ? candidate : best));
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        entry.jobs.set(id, { resolve, reject });
        entry.worker.ref();
        entry.batch.push({ id, body, keys, signTime: signTime.getTime() });
        if (entry.batch.length === 1) setImmediate(() => post(entry));
        else if (entry.batch.length >= MAX_BATCH) post(entry);
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  };
}
