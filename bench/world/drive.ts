/**
 * Drives the world scenario through Ferry: the bench load source's AUTH sessions (bench/load/
 * session.ts: STARTTLS, AUTH PLAIN once, pipelining) sending the scenario's planned messages
 * (plan.ts) instead of one recipient domain. Writes an accept log (benchId, class, accepted-at ms,
 * latency ms, recipients) and prints one JSON summary (ok / failed by code, msg/s, accept latency).
 *   node bench/world/drive.ts --scenario F --target 127.0.0.1:2540 --auth T:KEY [--messages N]
 *        [--connections 20] [--rate 0] [--run-id R] [--accept-log F] [--timeout 600]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { BenchMessage } from '../load/message.ts';
import { parseLoadOptions, type LoadOptions } from '../load/options.ts';
import { openSession, sendMessage, type Session } from '../load/session.ts';
import { LatencyRecorder } from '../load/stats.ts';
import { MessagePlan, type PlannedMessage } from './plan.ts';
import { parseScenario } from './scenario.ts';
import { expandWorld } from './world-expand.ts';

interface DriveState {
  next: number;
  readonly end: number;
  readonly failed: Record<string, number>;
  readonly acceptLog: string[];
  readonly latency: LatencyRecorder;
  readonly startedAt: number;
}

function benchMessage(opts: LoadOptions, runId: string, planned: PlannedMessage): BenchMessage {
  const benchId = `${runId}.${planned.index}`;
  const header =
    `From: <${opts.from}>\r\nTo: <${planned.recipients[0]}>\r\nSubject: world ${benchId}\r\nDate: ${new Date().toUTCString()}\r\n` +
    `Message-ID: <${benchId}@bench.test>\r\nX-Bench-Id: ${benchId}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n`;
  return { index: planned.index, benchId, recipients: planned.recipients, header, body: planned.body, bodyBytes: planned.body.length };
}

async function pace(opts: LoadOptions, state: DriveState, index: number): Promise<void> {
  if (opts.rate <= 0) return;
  const wait = state.startedAt + (index * 1000) / opts.rate - performance.now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
}

async function worker(opts: LoadOptions, plan: MessagePlan, runId: string, state: DriveState, signal: AbortSignal): Promise<void> {
  let session: Session | undefined;
  let sessionFailures = 0;
  while (!signal.aborted && state.next < state.end && sessionFailures < 3) {
    const index = state.next++;
    await pace(opts, state, index);
    const planned = plan.make(index);
    const count = (key: string) => (state.failed[key] = (state.failed[key] ?? 0) + 1);
    try {
      if (!session || session.connection.failed) session = await openSession(opts);
      sessionFailures = 0;
      const result = await sendMessage(session, opts.from, benchMessage(opts, runId, planned));
      if (!result.ok) {
        count(result.key);
        if (result.fatal) session.connection.destroy();
        continue;
      }
      state.latency.record(result.latencyMs);
      state.acceptLog.push(`${runId}.${index}\t${planned.siteClass}\t${Date.now()}\t${result.latencyMs.toFixed(2)}\t${planned.recipients.join(',')}`);
    } catch (error) {
      sessionFailures++;
      count((error as { key?: string }).key ?? 'connection-lost');
      session?.connection.destroy();
      session = undefined;
    }
  }
  await session?.connection.close();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' }, target: { type: 'string', default: '127.0.0.1:2540' }, auth: { type: 'string' },
      messages: { type: 'string' }, connections: { type: 'string', default: '20' }, rate: { type: 'string', default: '0' },
      'run-id': { type: 'string' }, 'accept-log': { type: 'string' }, timeout: { type: 'string', default: '600' },
    },
  });
  if (!values.scenario) throw new Error('usage: drive.ts --scenario FILE --target HOST:PORT --auth T:KEY [--messages N]');
  const world = expandWorld(parseScenario(await readFile(values.scenario, 'utf8')));
  const messages = Number(values.messages ?? world.scenario.messages);
  const runId = values['run-id'] ?? Math.random().toString(36).slice(2, 8);
  const opts = parseLoadOptions(
    ['--target', values.target, '--connections', values.connections, '--messages', String(messages), '--rate', values.rate, '--from', world.scenario.sender, '--timeout', values.timeout, ...(values.auth ? ['--auth', values.auth] : [])],
    process.env,
  );
  const plan = new MessagePlan(world, runId);
  const state: DriveState = { next: 0, end: messages, failed: {}, acceptLog: [], latency: new LatencyRecorder(), startedAt: performance.now() };
  const signal = AbortSignal.timeout(opts.timeoutMs);
  await Promise.all(Array.from({ length: opts.connections }, () => worker(opts, plan, runId, state, signal)));
  const wallSeconds = (performance.now() - state.startedAt) / 1000;
  if (values['accept-log']) await writeFile(values['accept-log'], state.acceptLog.join('\n') + '\n');
  const ok = state.latency.count;
  const summary = { scenario: world.scenario.name, runId, messages, ok, failed: state.failed, notSent: messages - ok - Object.values(state.failed).reduce((a, b) => a + b, 0), wallSeconds: Math.round(wallSeconds * 1000) / 1000, msgPerSec: Math.round((ok / wallSeconds) * 10) / 10, acceptLatencyMs: state.latency.summary(), timedOut: signal.aborted };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (ok !== messages) process.exitCode = 1;
}

if (import.meta.main) await main();
