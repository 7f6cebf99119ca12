/**
 * Unit tests of the bench load source's latency statistics (nearest-rank percentiles, growth of
 * the sample buffer) and of the outcome counter (failures keyed by reply code).
 */
import t from 'tap';
import { LatencyRecorder, OutcomeCounter, percentile, summarize } from './stats.ts';

t.test('nearest-rank percentiles', async (t) => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  t.equal(percentile(sorted, 50), 50);
  t.equal(percentile(sorted, 90), 90);
  t.equal(percentile(sorted, 99), 99);
  t.equal(percentile(sorted, 100), 100);
  t.equal(percentile(sorted, 0), 1);
  t.equal(percentile([7], 99), 7);
  t.equal(percentile([], 50), undefined);
  t.equal(percentile([1, 2, 3, 4], 50), 2);
});

t.test('summary sorts unsorted samples and handles empty input', async (t) => {
  const s = summarize([5, 1, 4, 2, 3]);
  t.same(s, { count: 5, min: 1, mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
  t.same(summarize([]), { count: 0, min: null, mean: null, p50: null, p90: null, p99: null, max: null });
});

t.test('recorder grows past its initial buffer and keeps every sample', async (t) => {
  const r = new LatencyRecorder();
  for (let i = 5000; i >= 1; i--) r.record(i / 10); // 0.1 .. 500 ms, descending
  t.equal(r.count, 5000);
  const s = r.summary();
  t.equal(s.min, 0.1);
  t.equal(s.max, 500);
  t.equal(s.p50, 250);
  t.equal(s.p99, 495);
  t.equal(s.mean, 250.05);
});

t.test('outcome counter: failures by code, sorted, totalled', async (t) => {
  const c = new OutcomeCounter();
  c.ok += 3;
  c.fail(451);
  c.fail('451');
  c.fail('connection-lost');
  c.fail(550);
  t.equal(c.failedTotal, 4);
  t.same(c.failedByCode(), { '451': 2, '550': 1, 'connection-lost': 1 });
});
