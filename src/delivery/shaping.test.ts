/**
 * Traffic shaping: the bundled config/shaping.yaml loads and its rules match real provider
 * replies (one line per reply), a bad file is refused with a code, limits precedence, and the
 * per-path controller (slow / floor / cooldown / ramp / suspend / hourly cap) on an injected clock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../config/index.ts';
import { isFerryError, type RemoteReply } from '../domain/index.ts';
import { pathLimits } from './path-limits.ts';
import { createPathShaper, DEFAULT_SHAPING_FILE, loadShaping, matchRule, parseShaping } from './shaping.ts';
import { parseSmtpReply } from './smtp-reply.ts';

const reply = (raw: string): RemoteReply => parseSmtpReply(raw) as RemoteReply;
const accepted = reply('250 2.0.0 OK');

t.test('bundled file: provider replies hit their rules', async (t) => {
  const shaping = loadShaping('');
  const ruleOf = (site: string, raw: string) => matchRule(shaping.forSite(site).rules, reply(raw))?.name;
  t.equal(ruleOf('google', '421 4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP address.'), 'gmail-unusual-rate');
  t.equal(ruleOf('google', '421 4.7.0 Try again later, closing connection. (EHLO)'), 'gmail-try-later');
  t.equal(ruleOf('microsoft', '421 4.7.0 Temporary server error. Please try again later. PRX4 ... RP-001 (BN1NAM02FT011)'), 'microsoft-rate-limited');
  t.equal(ruleOf('microsoft', '451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719)'), 'microsoft-server-busy');
  t.equal(ruleOf('microsoft', "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. (S3140)"), 'microsoft-ip-blocked');
  t.equal(ruleOf('yahoo', '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints'), 'yahoo-tss04');
  t.equal(ruleOf('yahoo', '421 4.7.0 [TS03] All messages from 192.0.2.1 will be permanently deferred'), 'yahoo-ts03');
  t.equal(ruleOf('other', '421 4.7.0 Too many connections from your IP'), 'generic-too-many');
  t.equal(ruleOf('other', '421 4.7.28 unusual rate'), undefined, 'a site rule applies to its site only');
  t.equal(ruleOf('google', '450 4.2.1 The user you are trying to contact is receiving mail too quickly'), undefined, 'per-recipient throttling is not a path signal');
  t.equal(ruleOf('google', '250 2.0.0 OK'), undefined);
  t.ok(shaping.siteLimits('google').maxConnections, 'google has default limits');
  t.same(shaping.siteLimits('nowhere'), {});
  t.equal(DEFAULT_SHAPING_FILE.endsWith('config/shaping.yaml'), true);
});

t.test('bad shaping files are refused with a config code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-shaping-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return isFerryError(error) ? error.code : 'not a FerryError';
    }
    return 'no error';
  };
  t.equal(code(() => loadShaping(join(dir, 'missing.yaml'))), 'MTA_ERR_CONFIG_FILE');
  const adaptive = 'adaptive: { floor: 0.1, rampPerSuccess: 0.1, slowCooldown: 1s }\n';
  t.equal(code(() => parseShaping(': : :\n  - [', 'x')), 'MTA_ERR_CONFIG_INVALID', 'not YAML');
  t.equal(code(() => parseShaping(`${adaptive}sites: {}\nrules: [{ name: a, match: {}, action: slow, factor: 0.5 }]`, 'x')), 'MTA_ERR_CONFIG_INVALID', 'empty match');
  t.equal(code(() => parseShaping(`${adaptive}sites: {}\nrules: [{ name: a, match: { code: 421 }, action: slow, factor: 2 }]`, 'x')), 'MTA_ERR_CONFIG_INVALID', 'factor > 1');
  t.equal(code(() => parseShaping(`${adaptive}sites: {}\nrules: [{ name: a, match: { code: 421 }, action: suspend }]`, 'x')), 'MTA_ERR_CONFIG_INVALID', 'suspend without duration');
  t.equal(code(() => parseShaping(`${adaptive}sites: {}\nrules: [{ name: a, match: { text: '(' }, action: slow, factor: 0.5 }]`, 'x')), 'MTA_ERR_CONFIG_INVALID', 'bad regex');
  t.equal(code(() => parseShaping(`${adaptive}sites: { g: { limits: { maxConections: 2 } } }\nrules: []`, 'x')), 'MTA_ERR_CONFIG_INVALID', 'unknown key');
  const file = join(dir, 'ok.yaml');
  writeFileSync(file, `${adaptive}sites: { g: { limits: { maxConnections: 2 }, adaptive: { floor: 0.5 } } }\nrules: []\n`);
  t.same(loadShaping(file).forSite('g').adaptive, { floor: 0.5, rampPerSuccess: 0.1, slowCooldownMs: 1000 }, 'site adaptive overrides key by key');
});

t.test('limits precedence: delivery.limits < shaping site defaults < delivery.sites[].limits', async (t) => {
  const config = loadConfig({
    env: {},
    overrides: {
      delivery: {
        limits: { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 },
        sites: [{ name: 'google', mx: ['*.google.com'], limits: { maxConnections: 3 } }],
      },
    },
  });
  const defaults = { maxConnections: 20, maxMessagesPerSecond: 20, maxMessagesPerHour: 5000 };
  t.same(pathLimits(config, 'google', defaults), { maxConnections: 3, maxMessagesPerConnection: 100, maxMessagesPerSecond: 20, maxMessagesPerHour: 5000 });
  t.same(pathLimits(config, 'other', {}), { maxConnections: 10, maxMessagesPerConnection: 100, maxMessagesPerSecond: 0 });
});

const site = parseShaping(
  `adaptive: { floor: 0.1, rampPerSuccess: 0.25, slowCooldown: 10s }
sites: {}
rules:
  - { name: slow, match: { code: 421, enhanced: 4.7.28 }, action: slow, factor: 0.5 }
  - { name: stop, match: { text: 'TSS04' }, action: suspend, duration: 15m }
`,
  'inline',
).forSite('any');
const slowDown = reply('421 4.7.28 unusual rate');

t.test('slow halves the rate, compounds only after the cooldown, stops at the floor', async (t) => {
  const shaper = createPathShaper(site, 0);
  t.equal(shaper.rate(20), 20);
  t.equal(shaper.observe([slowDown, slowDown], 0, () => 0)?.name, 'slow', 'one transaction = one signal');
  t.equal(shaper.rate(20), 10);
  shaper.observe([slowDown], 5_000, () => 0);
  t.equal(shaper.rate(20), 10, 'within the cooldown: no compounding');
  for (let i = 1; i <= 6; i++) shaper.observe([slowDown], i * 10_000, () => 0);
  t.equal(shaper.factor, 0.1, 'floor');
  t.equal(shaper.rate(20), 2);
});

t.test('successes ramp back additively, never in one step', async (t) => {
  const shaper = createPathShaper(site, 0);
  shaper.observe([slowDown], 0, () => 0);
  shaper.observe([slowDown], 10_000, () => 0);
  t.equal(shaper.factor, 0.25);
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    shaper.observe([accepted], 20_000 + i, () => 0);
    seen.push(shaper.factor);
  }
  t.same(seen, [0.5, 0.75, 1, 1]);
  t.equal(shaper.observe([reply('451 4.3.0 local trouble')], 30_000, () => 0), undefined, 'an unmatched failure changes nothing');
  t.equal(shaper.factor, 1);
});

t.test('an unlimited path slows down from its observed rate, then returns to unlimited', async (t) => {
  const shaper = createPathShaper(site, 0);
  t.equal(shaper.rate(0), 0, 'unlimited');
  shaper.observe([slowDown], 0, () => 40);
  t.equal(shaper.rate(0), 20, 'half of the observed 40/s');
  shaper.observe([slowDown], 10_000, () => 999);
  t.equal(shaper.rate(0), 10, 'the reference is fixed at the first slow-down');
  for (let i = 0; i < 3; i++) shaper.observe([accepted], 20_000, () => 0);
  t.equal(shaper.rate(0), 0, 'back to unlimited');
});

t.test('suspend pauses the path until its end; dormant only when nothing is held', async (t) => {
  const shaper = createPathShaper(site, 0);
  t.equal(shaper.pausedUntil(1000), undefined);
  t.ok(shaper.dormant(1000));
  t.equal(shaper.observe([reply('421 4.7.0 [TSS04] deferred')], 1000, () => 0)?.name, 'stop');
  t.equal(shaper.pausedUntil(1000), 1000 + 15 * 60_000);
  t.notOk(shaper.dormant(2000));
  t.equal(shaper.pausedUntil(1000 + 15 * 60_000), undefined, 'over at its end');
  t.ok(shaper.dormant(1000 + 15 * 60_000));
});

t.test('hourly cap: paused until the oldest send of the hour leaves the window', async (t) => {
  const shaper = createPathShaper(site, 3);
  for (const at of [0, 1000, 2000]) {
    t.equal(shaper.pausedUntil(at), undefined);
    shaper.recordSend(at);
  }
  t.equal(shaper.pausedUntil(3000), 3_600_000);
  t.equal(shaper.pausedUntil(3_600_000), undefined, 'the first send left the sliding hour');
  shaper.recordSend(3_600_000);
  t.equal(shaper.pausedUntil(3_600_001), 3_601_000);
  t.notOk(shaper.dormant(3_600_001));
  const uncapped = createPathShaper(site, 0);
  for (let i = 0; i < 100; i++) uncapped.recordSend(i);
  t.equal(uncapped.pausedUntil(100), undefined);
  t.ok(uncapped.dormant(100), 'no history kept without a cap');
});

t.test('a reloaded rule set reaches a live path; its slowed rate is kept', async (t) => {
  let current = site;
  const shaper = createPathShaper(() => current, 0);
  shaper.observe([slowDown], 0, () => 0);
  t.equal(shaper.rate(20), 10);
  current = parseShaping(
    `adaptive: { floor: 0.1, rampPerSuccess: 0.5, slowCooldown: 0s }
sites: {}
rules:
  - { name: ms, match: { text: 'RP-001' }, action: slow, factor: 0.5 }
`,
    'reloaded',
  ).forSite('any');
  t.equal(shaper.observe([slowDown], 1, () => 0), undefined, 'the old rule is gone');
  t.equal(shaper.observe([reply('421 RP-001 try later')], 2, () => 0)?.name, 'ms', 'the new rule applies');
  t.equal(shaper.rate(20), 5, 'from the kept factor');
  shaper.observe([reply('250 ok')], 3, () => 0);
  t.equal(shaper.rate(20), 15, 'the new ramp step');
});
