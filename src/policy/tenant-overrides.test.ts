/**
 * The precedence of a tenant's effective limits and content policy: config defaults < config
 * override (tenantLimits.overrides / filter.tenants) < the tenant record's own values; and the
 * PolicyResolver cache following a changed record (same content → same resolved policy object).
 */
import t from 'tap';
import { loadConfig } from '../config/index.ts';
import { limitsFor, tenantLimitSettings } from './rate.ts';
import { mergeTenantPolicy, PolicyResolver, resolvePolicy } from './filter/policy.ts';

const config = loadConfig({
  env: {},
  overrides: {
    tenantLimits: { messagesPerSecond: 10, burst: 20, dailyQuota: 0, overrides: { tn_a: { dailyQuota: 100, burst: 5 } } },
    filter: { tenants: { tn_a: { mode: 'monitor', checks: { sectors: { threshold: 7, action: 'hold' } }, allow: { senders: ['a@a.test'], ibans: ['DE00 1'] } } } },
  },
});

t.test('limits: defaults < config override < the record', async (t) => {
  const settings = tenantLimitSettings(config);
  t.same(limitsFor(settings, 'tn_b'), { messagesPerSecond: 10, burst: 20, dailyQuota: 0 }, 'defaults');
  t.same(limitsFor(settings, 'tn_a'), { messagesPerSecond: 10, burst: 5, dailyQuota: 100 }, 'config override');
  t.same(limitsFor(settings, 'tn_a', { dailyQuota: 2 }), { messagesPerSecond: 10, burst: 5, dailyQuota: 2 }, 'the record wins, per value');
  t.same(limitsFor(settings, 'tn_b', { messagesPerSecond: 0, burst: undefined }), { messagesPerSecond: 0, burst: 20, dailyQuota: 0 }, '0 from the record counts, undefined does not');
});

t.test('content policy: defaults < filter.tenants < the record, per field', async (t) => {
  t.equal(mergeTenantPolicy(undefined, undefined), undefined);
  const merged = mergeTenantPolicy(config.filter.tenants.tn_a, { mode: 'enforce', checks: { sectors: { threshold: 30 } }, allow: { senders: ['b@a.test'] } });
  t.same(merged, { mode: 'enforce', checks: { sectors: { threshold: 30, action: 'hold' } }, allow: { senders: ['b@a.test'], ibans: ['DE00 1'] } });
  const configOnly = resolvePolicy(config.filter, 'tn_a');
  t.match(configOnly, { mode: 'monitor', checks: { sectors: { threshold: 7, action: 'hold' } } });
  const own = resolvePolicy(config.filter, 'tn_a', { mode: 'enforce', checks: { sectors: { threshold: 30 } } });
  t.match(own, { mode: 'enforce', checks: { sectors: { threshold: 30, action: 'hold', enabled: config.filter.checks.sectors.enabled } } });
  t.ok(own.allow.senders.has('a@a.test'), 'config allow-list kept where the record has none');
  const other = resolvePolicy(config.filter, 'tn_b', { mode: 'monitor' });
  t.equal(other.mode, 'monitor', 'a record alone (no config entry) applies');
  t.equal(resolvePolicy(config.filter, 'tn_b').mode, config.filter.mode, 'no record: the default');
});

t.test('PolicyResolver follows the record: same content hits, a change resolves again', async (t) => {
  const resolver = new PolicyResolver(config.filter);
  const plain = resolver.forTenant('tn_b');
  t.equal(resolver.forTenant('tn_b'), plain, 'cached');
  const monitor = resolver.forTenant('tn_b', { mode: 'monitor' });
  t.equal(monitor.mode, 'monitor', 'a new record entry resolves again');
  t.equal(resolver.forTenant('tn_b', { mode: 'monitor' }), monitor, 'an equal entry (reloaded object) is a hit');
  t.equal(resolver.forTenant('tn_b', { mode: 'enforce' }).mode, 'enforce', 'changed again');
  t.equal(resolver.forTenant('tn_b').mode, config.filter.mode, 'cleared: back to config');
});
