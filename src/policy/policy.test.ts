import t from 'tap';
import { ACCEPT, refuse, tempfail } from '../domain/index.ts';
import { AuthFailureThrottle } from './auth-throttle.ts';
import { recipientCapCheck, TenantConnections } from './limits.ts';
import { buildBlockList, normalizeClientIp } from './relay.ts';
import { runChecks } from './run.ts';
import type { IngressCheck } from './types.ts';

t.test('AUTH-failure throttle: refuse after N in the window, disconnect at M, forget after the window', async (t) => {
  const throttle = new AuthFailureThrottle({ failuresPerIp: 3, windowMs: 1000, disconnectAt: 5 });
  const ip = '127.0.0.9';
  for (let i = 0; i < 3; i++) {
    t.equal(throttle.check(ip, 100).verdict.kind, 'accept');
    throttle.recordFailure(ip, 100 + i);
  }
  t.same(throttle.check(ip, 200), { verdict: tempfail('auth.throttled'), disconnect: false });
  t.equal(throttle.check('127.0.0.10', 200).verdict.kind, 'accept', 'other addresses are not affected');
  t.notOk(throttle.shouldDisconnect(throttle.recordFailure(ip, 300)));
  t.ok(throttle.shouldDisconnect(throttle.recordFailure(ip, 301)));
  t.equal(throttle.check(ip, 400).disconnect, true);
  t.same(throttle.check(ip, 1101), { verdict: tempfail('auth.throttled'), disconnect: false }, 'three failures are still in the window');
  t.equal(throttle.check(ip, 1302).verdict.kind, 'accept', 'the window has passed');
  t.equal(throttle.trackedIps, 0);
});

t.test('AUTH-failure throttle memory is bounded', async (t) => {
  const throttle = new AuthFailureThrottle({ failuresPerIp: 1, windowMs: 60_000, disconnectAt: 2, maxTrackedIps: 10 });
  for (let i = 0; i < 50; i++) throttle.recordFailure(`10.0.0.${i}`, 1);
  t.equal(throttle.trackedIps, 10);
  t.equal(throttle.check('10.0.0.49', 2).verdict.kind, 'tempfail', 'the newest are kept');
});

t.test('recipient cap and connections per tenant', async (t) => {
  const cap = recipientCapCheck(2);
  const base = { sessionId: 's', clientIp: '127.0.0.1', tenantId: 'tn', mailFrom: 'a@b', recipient: 'x@y' };
  t.same(await cap.check({ ...base, acceptedRecipients: 1 }, AbortSignal.timeout(1000)), ACCEPT);
  t.match(await cap.check({ ...base, acceptedRecipients: 2 }, AbortSignal.timeout(1000)), { kind: 'tempfail', reason: 'recipient.too-many' });

  const connections = new TenantConnections(2);
  t.same(connections.acquire('tn', 's1'), ACCEPT);
  t.same(connections.acquire('tn', 's1'), ACCEPT, 'the same session counts once');
  t.same(connections.acquire('tn', 's2'), ACCEPT);
  t.match(connections.acquire('tn', 's3'), { kind: 'tempfail', reason: 'connection.limit' });
  t.same(connections.acquire('other', 's3'), ACCEPT);
  connections.release('tn', 's1');
  connections.release('tn', 's1');
  t.equal(connections.count('tn'), 1);
  t.same(connections.acquire('tn', 's3'), ACCEPT);
});

t.test('relay networks: CIDR, single addresses, IPv6, invalid entries reported', async (t) => {
  const invalid: string[] = [];
  const list = buildBlockList(['127.0.0.64/30', '10.1.2.3', '2001:db8::/32', 'nonsense', '10.0.0.0/33'], (e) => invalid.push(e));
  t.same(invalid, ['nonsense', '10.0.0.0/33']);
  t.ok(list.check('127.0.0.65', 'ipv4'));
  t.notOk(list.check('127.0.0.68', 'ipv4'));
  t.ok(list.check('10.1.2.3', 'ipv4'));
  t.notOk(list.check('10.1.2.4', 'ipv4'));
  t.ok(list.check('2001:db8::1', 'ipv6'));
  t.equal(normalizeClientIp('::ffff:127.0.0.65'), '127.0.0.65');
  t.equal(normalizeClientIp('::1'), '::1');
});

t.test('runChecks: first refusal wins; a throw or a hang becomes 451-class internal failure', async (t) => {
  const ok: IngressCheck<object> = { name: 'ok', check: async () => ACCEPT };
  const no: IngressCheck<object> = { name: 'no', check: async () => refuse('sender.foreign-domain') };
  const boom: IngressCheck<object> = { name: 'boom', check: async () => { throw new Error('store down'); } };
  let aborted = false;
  const hang: IngressCheck<object> = {
    name: 'hang',
    check: (_c, signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))),
  };
  const failures: string[] = [];
  const options = { timeoutMs: 50, onFailure: (name: string) => failures.push(name) };
  t.same(await runChecks([ok, ok], {}, options), ACCEPT);
  t.same(await runChecks([ok, no, boom], {}, options), refuse('sender.foreign-domain'));
  t.same(await runChecks([ok, boom, no], {}, options), tempfail('internal.failure'));
  const started = Date.now();
  t.same(await runChecks([hang], {}, options), tempfail('internal.failure'));
  t.ok(Date.now() - started < 1000, 'bounded by the timeout');
  t.ok(aborted, 'the hanging check was told to abort');
  t.same(failures, ['boom', 'hang']);
});
