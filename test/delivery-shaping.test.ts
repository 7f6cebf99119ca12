/**
 * Traffic shaping against real sinks (static routes to ephemeral ports on 127.0.36.x), with a
 * shaping file written to a temp dir: a `421 4.7.28` after N messages slows the path down and it
 * ramps back up (arrival gaps at the sink); the data file's per-site connection cap holds; a
 * suspend rule and the hourly cap hand waiting deliveries back (no attempt) until the pause ends;
 * retiring an IP's queues lets the send in flight finish and loses nothing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { OutcomeRecord } from '../src/domain/index.ts';
import { startHarness } from './support/delivery-harness.ts';
import { startSmtpSink, type SinkOptions, type SmtpSink } from './support/smtp-sink.ts';

async function sinkFor(t: Test, options: SinkOptions): Promise<SmtpSink> {
  const sink = await startSmtpSink(options);
  t.teardown(() => sink.stop());
  return sink;
}

/** A shaping file for the sink's site (static routes name their site `route:<host>:<port>`). */
function shapingFile(t: Test, sink: SmtpSink, body: { limits: string; rules: string; adaptive?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-shaping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'shaping.yaml');
  writeFileSync(file, [
    `adaptive: ${body.adaptive ?? '{ floor: 0.05, rampPerSuccess: 0.05, slowCooldown: 0s }'}`,
    'sites:',
    `  "route:${sink.host}:${sink.port}":`,
    `    limits: ${body.limits}`,
    'rules:',
    body.rules,
    '',
  ].join('\n'));
  return file;
}

function config(sink: SmtpSink, shaping: string) {
  return {
    delivery: {
      routes: { '*': `${sink.host}:${sink.port}` },
      limits: { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 },
      shapingFile: shaping,
    },
  };
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};
const gaps = (times: readonly number[]): number[] => times.slice(1).map((at, i) => at - (times[i] as number));
const attemptsOf = (records: readonly OutcomeRecord[]) => records.map((record) => (record as { attempt: number }).attempt);

t.test('421 4.7.28 after N messages slows the path down, then it ramps back up', async (t) => {
  let dataCalls = 0;
  const sink = await sinkFor(t, {
    host: '127.0.36.2',
    // messages 11..13 meet Gmail's "unusual rate" reply; everything else is accepted
    data: () => (++dataCalls >= 11 && dataCalls <= 13 ? { code: 421, text: '4.7.28 Our system has detected an unusual rate of unsolicited mail' } : undefined),
  });
  const file = shapingFile(t, sink, {
    limits: '{ maxConnections: 1, maxMessagesPerSecond: 20 }',
    rules: '  - { name: unusual-rate, match: { code: 421, enhanced: 4.7.28 }, action: slow, factor: 0.5 }',
  });
  const h = await startHarness(t, { config: config(sink, file) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 60; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['Delivery'], 57, 30_000);
  const deferrals = await h.records(['TransientFailure'], 3);
  t.equal(deferrals.length, 3, 'the three refused messages are deferred');
  const times = sink.messages.map((m) => m.at).sort((a, b) => a - b);
  t.equal(times.length, 57);
  const before = median(gaps(times.slice(0, 10)));
  const slowed = median(gaps(times.slice(10, 16)));
  const after = median(gaps(times.slice(-12)));
  t.ok(slowed > 2 * before, `slowed down: ${slowed} ms between messages after the 421s vs ${before} ms before`);
  t.ok(after * 2 < slowed, `ramped back up: ${after} ms between the last messages vs ${slowed} ms right after the 421s`);
  t.equal(sink.maxConcurrent, 1);
});

t.test("the data file's per-site connection cap holds", async (t) => {
  const sink = await sinkFor(t, { host: '127.0.36.3' });
  const file = shapingFile(t, sink, { limits: '{ maxConnections: 2, maxMessagesPerConnection: 5 }', rules: '  []' });
  const h = await startHarness(t, { config: config(sink, file) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 30; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['Delivery'], 30, 20_000);
  t.equal(sink.messages.length, 30);
  t.ok(sink.maxConcurrent <= 2, `${sink.maxConcurrent} concurrent sessions (file says 2, delivery.limits 10)`);
  t.ok(sink.sessions.length >= 6, `${sink.sessions.length} sessions at 5 messages per connection (file)`);
});

t.test('a suspend rule pauses the path; waiting deliveries are handed back and come back after it', async (t) => {
  let dataCalls = 0;
  const sink = await sinkFor(t, {
    host: '127.0.36.4',
    data: () => (++dataCalls === 3 ? { code: 421, text: '4.7.0 [TSS04] Messages from 127.0.0.1 temporarily deferred' } : undefined),
  });
  const file = shapingFile(t, sink, {
    limits: '{ maxConnections: 1, maxMessagesPerSecond: 10 }',
    rules: "  - { name: tss04, match: { text: '\\[TSS04\\]' }, action: suspend, duration: 10m }",
  });
  const h = await startHarness(t, { config: config(sink, file) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 10; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['TransientFailure'], 1);
  t.ok(await h.spoolSettles((stats) => stats.active === 0 && stats.scheduled === 8), 'all but the delivered two are scheduled, none held active');
  t.equal(dataCalls, 3, 'nothing sent while suspended');
  t.equal(sink.messages.length, 2);
  const queue = h.engine.queues()[0];
  t.equal(queue?.depth ?? 0, 0, 'the paused path holds no delivery');
  h.clock.advance(10 * 60_000 + 1000);
  await h.records(['Delivery'], 10, 20_000);
  const delivered = await h.state.readOutcomes({ types: ['Delivery'] });
  t.same(attemptsOf(delivered).sort(), [1, 1, 1, 1, 1, 1, 1, 1, 1, 2], 'handed-back deliveries were not counted as attempts');
  t.equal((await h.state.readOutcomes({ types: ['TransientFailure'] })).length, 1, 'no record for a hand-back');
});

t.test('maxMessagesPerHour from the data file pauses the path until the sliding hour allows more', async (t) => {
  const sink = await sinkFor(t, { host: '127.0.36.5' });
  const file = shapingFile(t, sink, { limits: '{ maxConnections: 2, maxMessagesPerHour: 4 }', rules: '  []' });
  const h = await startHarness(t, { config: config(sink, file) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 7; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await h.records(['Delivery'], 4);
  t.ok(await h.spoolSettles((stats) => stats.active === 0 && stats.scheduled === 3), 'three wait on the scheduled queue');
  t.equal(sink.messages.length, 4, 'four in the hour');
  h.clock.advance(3_600_000 + 1000);
  await h.records(['Delivery'], 7, 20_000);
  t.equal(sink.messages.length, 7);
  t.same(attemptsOf(await h.state.readOutcomes({ types: ['Delivery'] })), [1, 1, 1, 1, 1, 1, 1]);
});

t.test('retiring an IP: the send in flight finishes, waiting deliveries are handed back, none lost', async (t) => {
  let firstData: () => void = () => undefined;
  const dataSeen = new Promise<void>((resolve) => (firstData = resolve));
  const sink = await sinkFor(t, {
    host: '127.0.36.6',
    dataDelayMs: 400,
    data: () => {
      firstData();
      return undefined;
    },
  });
  const file = shapingFile(t, sink, { limits: '{ maxConnections: 1 }', rules: '  []' });
  const h = await startHarness(t, { config: config(sink, file) });
  const tenant = await h.tenant('bulk');
  for (let i = 0; i < 6; i++) await h.send(tenant, 'a@bulk.test', [`r${i}@dest.test`]);
  await dataSeen;
  const [path] = h.engine.queues();
  t.ok(path && path.depth > 0, 'deliveries wait behind the send in flight');
  h.engine.retireIp(path!.ip);
  t.same(h.engine.queues().filter((q) => q.ip === path!.ip && q.depth > 0), [], 'the retired queue holds nothing');
  await h.records(['Delivery'], 6, 20_000);
  t.equal(sink.messages.length, 6, 'every delivery sent once');
  t.equal(new Set(sink.messages.map((m) => m.rcptTo[0])).size, 6);
  t.same(attemptsOf(await h.state.readOutcomes({ types: ['Delivery'] })), [1, 1, 1, 1, 1, 1], 'the send in flight settled normally');
  t.equal((await h.state.readOutcomes({ types: ['TransientFailure'] })).length, 0, 'nothing cut or deferred');
  t.ok(sink.sessions.length >= 2, 'the retired session ended; a new queue took over');
});
