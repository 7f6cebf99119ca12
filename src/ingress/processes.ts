/**
 * More than one process accepting SMTP on one node (`ingress.processes` > 1): the relay (the
 * primary, which also delivers) forks ingress-only workers (src/ingress-worker.ts) that listen on
 * the same ports with SO_REUSEPORT, so the kernel spreads connections over them and ingress uses
 * every core. They share the node's LMDB environment (spool and embedded state are multi-process
 * safe), so a worker's `250` means the same as the primary's: the message is committed.
 * What only one process can see travels over the IPC channel in batches (every FLUSH_MS): the
 * worker's outcome records and state-store timings (for the primary's metrics), its SMTP session
 * events, and a nudge when it accepted mail (so delivery claims it at once).
 * Exports startIngressWorkers (primary side), createWorkerLink (worker side) and the message types.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.ts';
import type { OutcomeRecord } from '../domain/index.ts';
import type { Logger } from '../platform/index.ts';
import type { IngressObserver } from './observer.ts';

/** What a worker reports, batched. */
export interface WorkerBatch {
  readonly type: 'batch';
  readonly accepted: number;
  readonly records: readonly OutcomeRecord[];
  readonly stateCalls: ReadonlyArray<readonly [op: string, seconds: number, ok: boolean]>;
  /** [kind, code, text, sinceConnectMs]: o = opened, c = closed, r = replied. */
  readonly sessions: ReadonlyArray<readonly ['o' | 'c' | 'r', number, string, number]>;
}

export type PrimaryMessage = { readonly type: 'start'; readonly config: Config } | { readonly type: 'stop' };
export type WorkerMessage = WorkerBatch | { readonly type: 'ready' } | { readonly type: 'failed'; readonly error: string };

export interface BatchSink {
  records(records: readonly OutcomeRecord[]): void;
  stateCall(op: string, seconds: number, ok: boolean): void;
  readonly ingress: IngressObserver;
  /** The worker accepted mail: wake delivery. */
  accepted(): void;
}

const FLUSH_MS = 25;
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const RESTART_DELAY_MS = 1_000;
const WORKER = fileURLToPath(new URL('../ingress-worker.ts', import.meta.url));

export function applyBatch(batch: WorkerBatch, sink: BatchSink): void {
  if (batch.records.length > 0) sink.records(batch.records);
  for (const [op, seconds, ok] of batch.stateCalls) sink.stateCall(op, seconds, ok);
  for (const [kind, code, text, since] of batch.sessions) {
    if (kind === 'o') sink.ingress.sessionOpened();
    else if (kind === 'c') sink.ingress.sessionClosed();
    else sink.ingress.replied(code, text, since);
  }
  if (batch.accepted > 0) sink.accepted();
}

export interface IngressWorkers {
  stop(): Promise<void>;
}

/**
 * Forks `count` workers, each given `config` (the primary's, with the ports it actually bound),
 * and waits until every one listens. A worker that dies while the relay runs is restarted.
 */
export async function startIngressWorkers(config: Config, count: number, sink: BatchSink, log: Logger): Promise<IngressWorkers> {
  const children = new Set<ChildProcess>();
  let stopping = false;

  function spawnWorker(index: number): Promise<void> {
    const child = fork(WORKER, [], { execArgv: process.execArgv, env: process.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.add(child);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ingress worker ${index} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.on('message', (message: WorkerMessage) => {
        if (message.type === 'batch') applyBatch(message, sink);
        else if (message.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else {
          clearTimeout(timer);
          reject(new Error(`ingress worker ${index} failed to start: ${message.error}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        children.delete(child);
        reject(new Error(`ingress worker ${index} exited (${code ?? signal})`));
        if (stopping) return;
        log.error({ worker: index, code, signal }, 'ingress worker exited; restarting it');
        setTimeout(() => void spawnWorker(index).catch((error: unknown) => log.error({ err: error, worker: index }, 'restarting an ingress worker failed')), RESTART_DELAY_MS).unref();
      });
    });
    child.send({ type: 'start', config } satisfies PrimaryMessage);
    return ready;
  }

  try {
    await Promise.all(Array.from({ length: count }, (_, i) => spawnWorker(i + 1)));
  } catch (error) {
    stopping = true;
    for (const child of children) child.kill('SIGKILL');
    throw error;
  }
  log.info({ workers: count }, 'ingress workers listening');
  return {
    async stop() {
      stopping = true;
      await Promise.all([...children].map(async (child) => {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.send({ type: 'stop' } satisfies PrimaryMessage);
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }));
    },
  };
}

/** The worker's side: observers whose events go to the primary in batches. */
export interface WorkerLink extends BatchSink {
  flush(): void;
  close(): void;
}

export function createWorkerLink(send: (message: WorkerMessage) => void): WorkerLink {
  let accepted = 0;
  let records: OutcomeRecord[] = [];
  let stateCalls: Array<readonly [string, number, boolean]> = [];
  let sessions: Array<readonly ['o' | 'c' | 'r', number, string, number]> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (accepted === 0 && records.length === 0 && stateCalls.length === 0 && sessions.length === 0) return;
    send({ type: 'batch', accepted, records, stateCalls, sessions });
    accepted = 0;
    records = [];
    stateCalls = [];
    sessions = [];
  };
  const soon = () => {
    timer ??= setTimeout(flush, FLUSH_MS);
  };
  return {
    records(batch) {
      records.push(...batch);
      soon();
    },
    stateCall(op, seconds, ok) {
      stateCalls.push([op, seconds, ok]);
      soon();
    },
    ingress: {
      sessionOpened: () => void (sessions.push(['o', 0, '', 0]), soon()),
      sessionClosed: () => void (sessions.push(['c', 0, '', 0]), soon()),
      replied: (code, text, since) => void (sessions.push(['r', code, text, since]), soon()),
    },
    accepted() {
      accepted++;
      soon();
    },
    flush() {
      clearTimeout(timer);
      flush();
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
