/**
 * Account rules as data, with a moved clock (no waiting): a free tenant (never bought credits)
 * is suspended 30 days after creation; a prepaid tenant whose ledger has not moved for 12
 * months is flagged inactive once (an AdminAction outcome), and not again; an active paying
 * tenant is left alone. Real embedded store in a temp dir; rules from config/default.yaml.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { accountRules, runAccountRules } from '../src/policy/index.ts';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openStateStore } from '../src/state/index.ts';

const DAY = 86_400_000;

t.test('free tier ends after 30 days; prepaid idle 12 months is flagged inactive once', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-accounts-'));
  const config = loadConfig({ env: {}, overrides: { dataDir } });
  const db = openLocalDatabase(dataDir);
  const state = await openStateStore(config, db);
  t.teardown(async () => {
    await state.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const rules = accountRules(config);
  const free = await state.createTenant({ name: 'freebie' });
  const prepaid = await state.createTenant({ name: 'prepaid' });
  await state.addCredits(prepaid.id, 100, 'top-up', 'pay-1');
  const now = Date.now();

  t.same(await runAccountRules(state, rules, now + 29 * DAY), [], 'day 29: nothing');
  const day31 = await runAccountRules(state, rules, now + 31 * DAY);
  t.same(day31, [{ tenantId: free.id, action: 'suspend', reason: 'free tier ended after 30 days' }], 'day 31: the free tenant is suspended');
  t.match(await state.getTenant(free.id), { status: 'suspended', statusReason: 'free tier ended after 30 days' });
  t.equal((await state.getTenant(prepaid.id))?.status, 'active', 'the prepaid tenant keeps sending');

  t.same(await runAccountRules(state, rules, now + 364 * DAY), [], 'prepaid, 364 idle days: nothing');
  const later = await runAccountRules(state, rules, now + 366 * DAY);
  t.same(later, [{ tenantId: prepaid.id, action: 'flag-inactive', reason: 'no activity for 12 months' }]);
  t.same(await runAccountRules(state, rules, now + 367 * DAY), [], 'flagged once, not every run');
  const records = await state.readOutcomes({ tenantId: prepaid.id, types: ['AdminAction'] });
  t.equal(records.filter((r) => r.type === 'AdminAction' && r.action === 'account.flag-inactive').length, 1);
});
