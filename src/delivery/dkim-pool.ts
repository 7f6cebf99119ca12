/**
 * A small worker_threads pool for DKIM signing, so RSA signing and body hashing (≈1.3 ms per
 * 10 KB message with rsa + ed25519, measured in docs/decisions/0004-dkim-signing.md) stay off
 * the event loop. Exports createDkimPool → { sign, close }; `sign` has signMessage's shape.
 * Jobs go to the worker with the fewest in flight; a worker that dies fails its jobs and is
 * replaced. Workers are unref'd: an idle pool never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { SigningKey } from './dkim.ts';

interface PendingJob {
  readonly resolve: (signatures: string) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  readonly jobs: Map<number, PendingJob>;
}

export interface DkimPool {
  sign(body: Buffer, keys: readonly SigningKey[], signTime: Date): Promise<string>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./dkim-worker.ts', import.meta.url);

export function createDkimPool(size: number): DkimPool {
  let nextId = 1;
  let closed = false;
  const workers: PoolWorker[] = [];

  function spawn(slot: PoolWorker | undefined): PoolWorker {
    const entry: PoolWorker = slot ?? { worker: undefined as unknown as Worker, jobs: new Map() };
    const worker = new Worker(WORKER_URL);
    worker.unref();
    worker.on('message', (reply: { id: number; signatures?: string; error?: string }) => {
      const job = entry.jobs.get(reply.id);
      if (!job) return;
      entry.jobs.delete(reply.id);
      if (reply.error !== undefined) job.reject(new Error(reply.error));
      else job.resolve(reply.signatures ?? '');
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
    for (const job of entry.jobs.values()) job.reject(error);
    entry.jobs.clear();
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
        entry.worker.postMessage({ id, body, keys, signTime: signTime.getTime() });
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((entry) => entry.worker.terminate()));
    },
  };
}
