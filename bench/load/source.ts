/**
 * Bench load source: an authenticated SMTP load generator (`node bench/load/source.ts --help`).
 * N sessions share a counter of M messages (optionally paced to a target rate), each session
 * reusing its connection (AUTH once) until --msgs-per-conn; an untimed warm-up phase may run
 * first on the same connections. Prints one JSON result on stdout (see `LoadResult`).
 * Exports: `runLoad` (used by tests), `LoadResult`. Invariant: ok + failedTotal + notSent = M.
 */
import { access, writeFile } from 'node:fs/promises';
import { MessageFactory } from './message.ts';
import { parseLoadOptions, UsageError, type LoadOptions } from './options.ts';
import { openSession, sendMessage, type Session, type SessionError } from './session.ts';
import { LatencyRecorder, OutcomeCounter, type LatencySummary } from './stats.ts';

export interface LoadResult {
  readonly label: string;
  readonly target: string;
  readonly tls: string;
  readonly auth: boolean;
  readonly pipelining: { readonly requested: boolean; readonly used: boolean };
  readonly connections: number;
  readonly messages: number;
  readonly warmup: number;
  readonly sizes: string;
  readonly recipientsPerMessage: number;
  readonly ok: number;
  readonly failed: Record<string, number>;
  readonly failedTotal: number;
  readonly failureSamples: Record<string, string>;
  readonly notSent: number;
  readonly timedOut: boolean;
  readonly wallSeconds: number;
  readonly msgPerSec: number;
  readonly bodyMBytesPerSec: number;
  readonly sourceCpuCores: number;
  readonly sessionsOpened: number;
  readonly latencyMs: LatencySummary;
  readonly startedAt: string;
  readonly runId: string;
}

interface Phase {
  readonly first: number;
  readonly end: number;
  next: number;
  readonly startedAt: number;
  readonly timed: boolean;
}

const MAX_CONSECUTIVE_SESSION_FAILURES = 3;

class LoadRun {
  readonly opts: LoadOptions;
  readonly factory: MessageFactory;
  readonly latency = new LatencyRecorder();
  readonly outcomes = new OutcomeCounter();
  readonly samples: Record<string, string> = {};
  readonly acceptLog: string[] = [];
  readonly sessions: (Session | null)[];
  readonly signal: AbortSignal;
  sessionsOpened = 0;
  bodyBytes = 0;

  constructor(opts: LoadOptions, signal: AbortSignal) {
    this.opts = opts;
    this.factory = new MessageFactory(opts);
    this.sessions = new Array<Session | null>(opts.connections).fill(null);
    this.signal = signal;
    signal.addEventListener('abort', () => this.sessions.forEach((s) => s?.connection.destroy(new Error('run timeout'))));
  }

  #fail(phase: Phase, key: string, text: string): void {
    if (!phase.timed) return;
    this.outcomes.fail(key);
    this.samples[key] ??= text;
  }

  async #session(slot: number): Promise<Session> {
    const current = this.sessions[slot];
    const limit = this.opts.messagesPerConnection;
    if (current && !current.connection.failed && (limit === 0 || current.sent < limit)) return current;
    if (current) await current.connection.close();
    this.sessions[slot] = null;
    const fresh = await openSession(this.opts);
    this.sessionsOpened++;
    this.sessions[slot] = fresh;
    return fresh;
  }

  async #pace(phase: Phase, index: number): Promise<void> {
    if (this.opts.rate <= 0 || !phase.timed) return;
    const due = phase.startedAt + ((index - phase.first) * 1000) / this.opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  }

  async #sendOne(slot: number, phase: Phase, index: number): Promise<boolean> {
    let session: Session;
    try {
      session = await this.#session(slot);
    } catch (err) {
      const e = err as SessionError;
      this.#fail(phase, e.key ?? 'session', e.message);
      return false;
    }
    const msg = this.factory.make(index);
    try {
      const result = await sendMessage(session, this.opts.from, msg);
      if (!result.ok) {
        this.#fail(phase, result.key, result.text);
        if (result.fatal) session.connection.destroy();
        return true;
      }
      if (phase.timed) this.#accepted(msg.benchId, msg.bodyBytes, result.latencyMs);
    } catch (err) {
      this.#fail(phase, 'connection-lost', (err as Error).message);
      session.connection.destroy();
    }
    return true;
  }

  #accepted(benchId: string, bodyBytes: number, latencyMs: number): void {
    this.outcomes.ok++;
    this.bodyBytes += bodyBytes;
    this.latency.record(latencyMs);
    if (this.opts.acceptLog) this.acceptLog.push(`${benchId}\t${Date.now()}\t${latencyMs.toFixed(3)}`);
  }

  async worker(slot: number, phase: Phase): Promise<void> {
    let consecutiveSessionFailures = 0;
    while (!this.signal.aborted && phase.next < phase.end) {
      const index = phase.next++;
      await this.#pace(phase, index);
      const sessionOk = await this.#sendOne(slot, phase, index);
      consecutiveSessionFailures = sessionOk ? 0 : consecutiveSessionFailures + 1;
      if (consecutiveSessionFailures >= MAX_CONSECUTIVE_SESSION_FAILURES) return;
    }
  }

  async phase(first: number, count: number, timed: boolean): Promise<Phase> {
    const phase: Phase = { first, end: first + count, next: first, startedAt: performance.now(), timed };
    const workers = this.sessions.map((_, slot) => this.worker(slot, phase));
    await Promise.all(workers);
    return phase;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s?.connection.close()));
  }
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  const run = new LoadRun(opts, controller.signal);
  try {
    if (opts.warmup > 0) await run.phase(0, opts.warmup, false);
    if (opts.holdFile) await holdUntilDeleted(opts.holdFile, controller.signal);
    const cpu0 = process.cpuUsage();
    const startedAt = new Date();
    const phase = await run.phase(opts.warmup, opts.messages, true);
    const wallSeconds = (performance.now() - phase.startedAt) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await run.closeAll();
    if (opts.acceptLog) await writeFile(opts.acceptLog, run.acceptLog.join('\n') + (run.acceptLog.length ? '\n' : ''));
    return buildResult(run, { wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, startedAt, timedOut: controller.signal.aborted });
  } finally {
    clearTimeout(timer);
  }
}

/** Creates `file`, then resolves once someone deleted it (or the run timed out). */
async function holdUntilDeleted(file: string, signal: AbortSignal): Promise<void> {
  await writeFile(file, `${process.pid}\n`);
  while (!signal.aborted) {
    try {
      await access(file);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

function buildResult(
  run: LoadRun,
  t: { wallSeconds: number; cpuSeconds: number; startedAt: Date; timedOut: boolean },
): LoadResult {
  const { opts, outcomes } = run;
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    label: opts.label,
    target: `${opts.host}:${opts.port}`,
    tls: opts.tls,
    auth: opts.auth !== null,
    pipelining: { requested: opts.pipelining, used: run.sessions.some((s) => s?.pipelining) },
    connections: opts.connections,
    messages: opts.messages,
    warmup: opts.warmup,
    sizes: opts.sizes.map((s) => `${s.bytes}:${s.weight}`).join(','),
    recipientsPerMessage: opts.recipients,
    ok: outcomes.ok,
    failed: outcomes.failedByCode(),
    failedTotal: outcomes.failedTotal,
    failureSamples: run.samples,
    notSent: opts.messages - outcomes.ok - outcomes.failedTotal,
    timedOut: t.timedOut,
    wallSeconds: r3(t.wallSeconds),
    msgPerSec: r3(outcomes.ok / t.wallSeconds),
    bodyMBytesPerSec: r3(run.bodyBytes / 1e6 / t.wallSeconds),
    sourceCpuCores: r3(t.cpuSeconds / t.wallSeconds),
    sessionsOpened: run.sessionsOpened,
    latencyMs: run.latency.summary(),
    startedAt: t.startedAt.toISOString(),
    runId: opts.runId,
  };
}

async function main(): Promise<void> {
  let opts: LoadOptions;
  try {
    opts = parseLoadOptions(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  const result = await runLoad(opts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.ok !== opts.messages) process.exitCode = 1;
}

if (import.meta.main) await main();
