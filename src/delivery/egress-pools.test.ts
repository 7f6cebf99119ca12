import t from 'tap';
import { loadConfig } from '../config/index.ts';
import { isFerryError } from '../domain/index.ts';
import { createEgressPools } from './egress-pools.ts';
import { pathLimits } from './path-limits.ts';

const config = loadConfig({
  env: {},
  overrides: {
    egress: {
      ips: [{ address: '10.0.0.1', helo: 'a.test' }, { address: '10.0.0.2', helo: 'b.test' }, { address: '10.0.0.3', helo: 'c.test' }],
      pools: { shared: ['10.0.0.1', { address: '10.0.0.2', weight: 3 }], warm: [{ address: '10.0.0.3', weight: 0 }] },
    },
    delivery: { sites: [{ name: 'google', mx: ['*.google.com'], limits: { maxConnections: 2 } }] },
  },
});

t.test('dedicated IPs win over the pool', async (t) => {
  const pools = createEgressPools(config, () => 0.99);
  t.same(pools.choose({ pool: 'shared', dedicatedIps: ['10.0.0.3'] }), { address: '10.0.0.3', helo: 'c.test' });
});

t.test('weighted choice within the pool; shared by default', async (t) => {
  const counts = new Map<string, number>();
  let i = 0;
  const pools = createEgressPools(config, () => (i++ % 100) / 100);
  for (let n = 0; n < 100; n++) {
    const ip = pools.choose({ dedicatedIps: [] }).address;
    counts.set(ip, (counts.get(ip) ?? 0) + 1);
  }
  t.same(Object.fromEntries(counts), { '10.0.0.1': 25, '10.0.0.2': 75 });
  t.equal(createEgressPools(config).choose(undefined).helo !== '', true);
});

t.test('unknown pool, pool without weight, unknown dedicated IP → FerryError', async (t) => {
  const pools = createEgressPools(config);
  const thrown = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    return undefined;
  };
  t.ok(isFerryError(thrown(() => pools.choose({ pool: 'nope' }))), 'unknown pool');
  t.ok(isFerryError(thrown(() => pools.choose({ pool: 'warm' }))), 'no member with weight');
  t.ok(isFerryError(thrown(() => pools.choose({ dedicatedIps: ['192.0.2.9'] }))), 'unknown dedicated IP');
});

t.test('path limits: site override key by key', async (t) => {
  t.same(pathLimits(config, 'google'), { maxConnections: 2, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 });
  t.same(pathLimits(config, 'other'), { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 });
});
