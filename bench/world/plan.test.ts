/**
 * The message plan follows the mixed scenario: class shares within ±2 points over 10,000 messages,
 * recipients per message by the weights, every recipient in its class's domains, deterministic.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { MessagePlan } from './plan.ts';
import { parseScenario } from './scenario.ts';
import { expandWorld } from './world-expand.ts';

const world = expandWorld(parseScenario(readFileSync(new URL('./scenarios/mixed.yaml', import.meta.url), 'utf8')));

t.test('shares, recipients, determinism', async (t) => {
  const plan = new MessagePlan(world, 'r1');
  const byClass: Record<string, number> = {};
  const byCount: Record<number, number> = {};
  const smallDomains = new Set<string>();
  for (let i = 0; i < 10_000; i++) {
    const m = plan.make(i);
    byClass[m.siteClass] = (byClass[m.siteClass] ?? 0) + 1;
    byCount[m.recipients.length] = (byCount[m.recipients.length] ?? 0) + 1;
    const domains = world.scenario.sites.find((s) => s.name === m.siteClass)?.domains ?? [];
    for (const r of m.recipients) {
      const domain = r.split('@')[1] as string;
      if (!domains.includes(domain)) t.fail(`${r} is not in ${m.siteClass}`);
      if (m.siteClass === 'small') smallDomains.add(domain);
    }
  }
  for (const [name, share] of [['gmail-like', 40], ['microsoft-like', 25], ['yahoo-like', 15], ['small', 20]] as const) {
    t.ok(Math.abs((byClass[name] ?? 0) / 100 - share) < 2, `${name} ≈ ${share} % (${byClass[name]})`);
  }
  t.ok(Math.abs((byCount[1] ?? 0) / 100 - 90) < 2, `1 recipient ≈ 90 % (${byCount[1]})`);
  t.ok(smallDomains.size > 800, `the small share spreads over most of the 1,000 domains (${smallDomains.size})`);
  t.same(new MessagePlan(world, 'r1').make(42).recipients, plan.make(42).recipients, 'deterministic');
});
