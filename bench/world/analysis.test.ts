/**
 * The world-run analysis on hand-made records: progress counts each recipient once, time to 99 %,
 * deferrals grouped by provider class (small domains rolled up) and reply, and both limit verdicts
 * from the receivers' counts (site rule broken vs Ferry's configured limit exceeded).
 */
import t from 'tap';
import { analyseRun, finalProgress, type OutcomeLite, type WorldCounts } from './analysis.ts';
import { parseScenario } from './scenario.ts';

const scenario = parseScenario(`
name: a
messages: 4
sites:
  - name: gmail-like
    share: 1
    domains: [gmail.test]
    mx: [{ host: mx.gmail-like.test, preference: 5, address: 127.0.77.1 }]
    receiver: { ratePerIp: { perSecond: 25, burst: 5 } }
    ferry: { mx: ["*.gmail-like.test"], limits: { maxConnections: 8, maxMessagesPerSecond: 20 } }
  - name: small
    share: 1
    generatedDomains: { prefix: d, suffix: -small.test, count: 2 }
    smallHosting: { firstAddress: 127.0.77.10, refusedAddress: 127.0.77.99, silentAddress: 127.0.77.98, greylistShare: 0.5, greylistMinDelay: 1s }
    ferry: { limits: { maxConnections: 2 } }
`);

const ip = (maxOpen: number, sliding: number) => ({ connections: 1, open: 0, maxOpen, transactions: 1, messages: 1, recipients: 1, maxTransactionsInSecond: sliding, maxTransactionsInSlidingSecond: sliding });
const site = (name: string, replies: Record<string, number>, byIp: Record<string, ReturnType<typeof ip>>, greylist = { first: 0, early: 0, passed: 0 }) =>
  ({ site: name, connections: 1, tlsSessions: 1, open: 0, maxOpen: 1, messages: 1, recipients: 1, replies, greylist, byIp });

const records: OutcomeLite[] = [
  { type: 'Reception', at: 1000, messageId: 'm1', recipients: ['a@gmail.test'] },
  { type: 'Reception', at: 1000, messageId: 'm2', recipients: ['b@d1-small.test'] },
  { type: 'TransientFailure', at: 1100, messageId: 'm2', recipients: ['b@d1-small.test'], site: 'd1-small.test', attempt: 1, reply: { code: 451, enhanced: '4.7.1', text: 'Greylisted, please try again later' } },
  { type: 'TransientFailure', at: 1200, messageId: 'm1', recipients: ['a@gmail.test'], site: 'gmail-like', attempt: 1, reply: { code: 421, enhanced: '4.7.28', text: 'rate' } },
  { type: 'Delivery', at: 3000, messageId: 'm1', recipients: ['a@gmail.test'], site: 'gmail-like', attempt: 2 },
  { type: 'Delivery', at: 6000, messageId: 'm2', recipients: ['b@d1-small.test'], site: 'd1-small.test', attempt: 2 },
  { type: 'Delivery', at: 6500, messageId: 'm2', recipients: ['b@d1-small.test'], site: 'd1-small.test', attempt: 2 },
];

const counts: WorldCounts = {
  sites: {
    'gmail-like': site('gmail-like', { '421 4.7.28': 1 }, { '127.0.0.2': ip(8, 27) }),
    'd1-small.test': site('d1-small.test', {}, { '127.0.0.2': ip(1, 1) }, { first: 1, early: 0, passed: 1 }),
  },
  acceptedPerSecond: [],
};

t.test('analysis', async (t) => {
  t.equal(finalProgress(records), 2, 'a recipient delivered twice counts once');
  const result = analyseRun({
    scenario, records, expectedRecipients: 2, acceptTimes: [1000, 1000], startMs: 0, counts,
    domains: new Map([['gmail.test', { site: 'gmail-like', fate: 'normal' }], ['d1-small.test', { site: 'small', fate: 'greylist' }], ['d2-small.test', { site: 'small', fate: 'normal' }]]),
  });
  t.equal(result.timeTo99Seconds, 6, 'the 2nd of 2 recipients became final at 6 s');
  t.same(result.deferralsBySite, { small: { '451 4.7.1 greylisted': 1 }, 'gmail-like': { '421 4.7.28': 1 } });
  const gmail = result.limits.find((l) => l.site === 'gmail-like');
  t.equal(gmail?.siteLimitHeld, false, 'a 421 4.7.28 means the site rule was hit');
  t.equal(gmail?.ferryLimitHeld, false, '27 in a sliding second is beyond 20/s (+1)');
  t.equal(result.limits.find((l) => l.site === 'small')?.ferryLimitHeld, true);
  t.same(result.greylist.world, { first: 1, early: 0, passed: 1 });
  t.equal(result.greylist.deliveredAtFirstAttempt, 0);
  t.equal(result.series.length, 4, '2 s buckets up to 6.5 s');
});
