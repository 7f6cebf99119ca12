/**
 * Worker-thread side of the DKIM signing pool: receives a batch of SignJobs ({id, body, keys,
 * signTime}), answers with one array of SignReplies ({id, signatures} or {id, error}), in the
 * batch's order. Runs signMessage from dkim.ts; holds no state between jobs.
 */
import { parentPort } from 'node:worker_threads';
import { signMessage } from './dkim.ts';
import type { SignJob, SignReply } from './dkim-pool.ts';

async function signOne(job: SignJob): Promise<SignReply> {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    return { id: job.id, signatures: await signMessage(body, job.keys, new Date(job.signTime)) };
  } catch (error) {
    return { id: job.id, error: error instanceof Error ? error.message : String(error) };
  }
}

parentPort?.on('message', (jobs: readonly SignJob[]) => {
  void Promise.all(jobs.map(signOne)).then((replies) => parentPort?.postMessage(replies));
});
