import t from 'tap';
import { loadConfig } from '../config/index.ts';
import { pathLimits } from './path-limits.ts';

const config = loadConfig({
  env: {},
  overrides: { delivery: { sites: [{ name: 'google', mx: ['*.google.com'], limits: { maxConnections: 2 } }] } },
});

t.test('path limits: site override key by key', async (t) => {
  t.match(pathLimits(config, 'google'), { maxConnections: 2, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 });
  t.match(pathLimits(config, 'other'), { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 });
});
