/**
 * Pure units of tenant and link reputation: assessRates thresholds and minimum volumes;
 * interpretAnswer's blocklist return codes; baseDomain.
 */
import t from 'tap';
import { loadConfig } from '../../config/index.ts';
import { baseDomain, interpretAnswer } from './link-reputation.ts';
import { assessRates } from './tenant-reputation.ts';

const settings = loadConfig({ env: {}, overrides: {} }).filter.checks.tenantReputation;
const volumes = (received: number, hardBounces: number, complaints: number, attempted = 0) => ({ received, attempted, hardBounces, complaints });

t.test('assessRates: defaults warn at 5 % / 0.1 %, suspend at 10 % / 0.5 %, with minimum volumes', async (t) => {
  t.equal(assessRates(volumes(2000, 0, 0), settings).level, 'ok');
  t.equal(assessRates(volumes(2000, 100, 0), settings).level, 'warn', 'bounce 5 %');
  t.equal(assessRates(volumes(2000, 200, 0), settings).level, 'suspend', 'bounce 10 %');
  t.equal(assessRates(volumes(2000, 0, 2), settings).level, 'warn', 'complaint 0.1 %');
  t.equal(assessRates(volumes(2000, 0, 10), settings).level, 'suspend', 'complaint 0.5 %');
  t.equal(assessRates(volumes(150, 50, 0), settings).level, 'ok', 'bounces under 200 sent: noise');
  t.equal(assessRates(volumes(900, 0, 9), settings).level, 'ok', 'complaints under 1000 sent: noise');
  t.equal(assessRates(volumes(300, 40, 0), settings).level, 'suspend', 'bounce minimum met, complaint minimum not');
  t.equal(assessRates(volumes(100, 0, 10, 2000), settings).level, 'suspend', 'delivered + bounced is a denominator too');
  t.match(assessRates(volumes(2000, 0, 10), settings).reason, /complaint rate 0\.50 % over 2000 recipients in 7d/);
});

t.test('interpretAnswer: 127.0.0.0/8 listings with categories, zone errors, wildcards', async (t) => {
  const zone = { name: 'dbl.test', codes: { '127.0.1.4': 'phishing' } };
  const records = (...addresses: string[]) => ({ kind: 'records' as const, records: addresses, ttl: 60 });
  t.match(interpretAnswer(records('127.0.1.4'), 'x.test', zone), { kind: 'listed', listing: { category: 'phishing', zone: 'dbl.test' } });
  t.match(interpretAnswer(records('127.0.1.9'), 'x.test', zone), { kind: 'listed', listing: { category: 'listed-domain' } }, 'unknown code: generic');
  t.match(interpretAnswer(records('127.255.255.254'), 'x.test', zone), { kind: 'failed' }, 'public resolver refused');
  t.match(interpretAnswer(records('192.0.2.1'), 'x.test', zone), { kind: 'clean' }, 'a wildcarding resolver is not a listing');
  t.match(interpretAnswer({ kind: 'nxdomain' }, 'x.test', zone), { kind: 'clean' });
  t.match(interpretAnswer({ kind: 'timeout' }, 'x.test', zone), { kind: 'failed' });
});

t.test('baseDomain', async (t) => {
  t.equal(baseDomain('www.shop.example'), 'shop.example');
  t.equal(baseDomain('a.b.shop.co.uk'), 'shop.co.uk');
  t.equal(baseDomain('example.com'), 'example.com');
});
