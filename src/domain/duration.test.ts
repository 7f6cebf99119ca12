import t from 'tap';
import { parseDuration, parseRetrySchedule } from './duration.ts';

t.test('durations', async (t) => {
  t.equal(parseDuration('500ms'), 500);
  t.equal(parseDuration('30s'), 30_000);
  t.equal(parseDuration('5m'), 300_000);
  t.equal(parseDuration('3d'), 3 * 86_400_000);
  t.throws(() => parseDuration('5 minutes'), RangeError);
  t.throws(() => parseDuration(''), RangeError);
});

t.test('retry schedules', async (t) => {
  const waits = parseRetrySchedule('5m,10m,30m,1h*4,4h*10');
  t.equal(waits.length, 17);
  t.same(waits.slice(0, 4), [300_000, 600_000, 1_800_000, 3_600_000]);
  t.equal(waits[16], 4 * 3_600_000);
  t.throws(() => parseRetrySchedule('5m,x'), RangeError);
  t.throws(() => parseRetrySchedule('1h*0'), RangeError);
});
