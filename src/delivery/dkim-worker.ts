/**
 * Worker-thread side of the DKIM signing pool: receives {id, body, keys, signTime}, answers
 * {id, signatures} or {id, error}. Runs signMessage from dkim.ts; holds no state between jobs.
 */
import { parentPort } from 'node:worker_threads';
import { signMessage, type SigningKey } from './dkim.ts';

interface SignJob {
  readonly id: number;
  readonly body: Uint8Array;
  readonly keys: readonly SigningKey[];
  readonly signTime: number;
}

parentPort?.on('message', (job: SignJob) => {
  const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
  signMessage(body, job.keys, new Date(job.signTime)).then(
    (signatures) => parentPort?.postMessage({ id: job.id, signatures }),
    (error: unknown) => parentPort?.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
