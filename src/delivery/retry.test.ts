import t from 'tap';
import { nextAttemptDecision } from './retry.ts';
import { parseRetrySchedule } from '../domain/index.ts';

const schedule = parseRetrySchedule('5m,10m,1h*2');
const now = 1_000_000;
const far = now + 86_400_000;

t.test('attempt N waits schedule[N-1], the last wait repeats', async (t) => {
  t.same(nextAttemptDecision(schedule, 1, now, far), { kind: 'retry', at: now + 300_000 });
  t.same(nextAttemptDecision(schedule, 2, now, far), { kind: 'retry', at: now + 600_000 });
  t.same(nextAttemptDecision(schedule, 4, now, far), { kind: 'retry', at: now + 3_600_000 });
  t.same(nextAttemptDecision(schedule, 40, now, far), { kind: 'retry', at: now + 3_600_000 });
});

t.test('capped at expiresAt; expired at or after it', async (t) => {
  t.same(nextAttemptDecision(schedule, 1, now, now + 1000), { kind: 'retry', at: now + 1000 });
  t.same(nextAttemptDecision(schedule, 1, now, now), { kind: 'expire' });
  t.same(nextAttemptDecision(schedule, 1, now, now - 1), { kind: 'expire' });
});
