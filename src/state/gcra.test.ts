/**
 * gcraStep (pure): a burst passes at once, then one per emission interval; retryAfterMs says
 * exactly when the next one passes; a refused request changes nothing; burst 1 spaces evenly.
 */
import t from 'tap';
import { gcraStep, rateKeySpec } from './gcra.ts';

t.test('burst then steady rate', async (t) => {
  const spec = { ratePerSecond: 4, burst: 3 };
  let tat: number | undefined;
  const decisions = [];
  for (let i = 0; i < 4; i += 1) {
    const step = gcraStep(tat, 1000, spec);
    if (step.nextTat !== undefined) tat = step.nextTat;
    decisions.push(step.decision);
  }
  t.same(decisions.map((d) => d.allowed), [true, true, true, false]);
  t.same(decisions[3], { allowed: false, retryAfterMs: 250 });
  t.equal(gcraStep(tat, 1249, spec).decision.allowed, false);
  t.same(gcraStep(tat, 1250, spec), { decision: { allowed: true, retryAfterMs: 0 }, nextTat: 2000 });
});

t.test('burst 1 spaces requests by the interval; idle time does not bank credit beyond burst', async (t) => {
  const spec = { ratePerSecond: 10, burst: 1 };
  const first = gcraStep(undefined, 0, spec);
  t.equal(first.nextTat, 100);
  t.same(gcraStep(first.nextTat, 50, spec).decision, { allowed: false, retryAfterMs: 50 });
  const later = gcraStep(first.nextTat, 10_000, spec);
  t.equal(later.nextTat, 10_100);
  t.equal(gcraStep(later.nextTat, 10_000, spec).decision.allowed, false, 'only one after a long idle');
  t.equal(rateKeySpec(spec), '10/s:1');
});
