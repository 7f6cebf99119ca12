/**
 * Unit tests of the accept → delivered join: latency per message, messages never delivered,
 * a relay delivering a message twice, and sink files that belong to no accepted message.
 */
import t from 'tap';
import { joinLatencies } from './e2e-latency.ts';

t.test('joins accept and delivery times by bench id', async (t) => {
  const accepted = new Map([['r.1', 1000], ['r.2', 1010], ['r.3', 1020], ['r.4', 1030]]);
  const r = joinLatencies(accepted, [
    { benchId: 'r.2', atMs: 1060, dkim: true },
    { benchId: 'r.1', atMs: 1040, dkim: true },
    { benchId: 'r.3', atMs: 1520, dkim: false },
    { benchId: 'r.3', atMs: 1700, dkim: true }, // delivered twice: counted once, flagged
    { benchId: 'warm.9', atMs: 900, dkim: false }, // warm-up message, not in this run's log
    { benchId: null, atMs: 950, dkim: false },
  ]);
  t.match(r, { accepted: 4, delivered: 6, matched: 3, missing: 1, duplicates: 1, unknown: 2, dkimSigned: 3 });
  t.same([r.latencyMs.min, r.latencyMs.p50, r.latencyMs.max], [40, 50, 500]);
  t.equal(r.deliveredPerSec, 5.8, '3 messages from first accept (1000) to last delivery (1520)');
});

t.test('nothing delivered', async (t) => {
  const r = joinLatencies(new Map([['a', 1]]), []);
  t.match(r, { matched: 0, missing: 1, deliveredPerSec: null });
  t.equal(r.latencyMs.p50, null);
});
