/**
 * Tenant reputation and per-sender blocking through the real relay (SMTP over STARTTLS, LMDB
 * state): a tenant driven over the complaint threshold by outcome records is refused at DATA,
 * suspended with an admin-visible reason and exactly one AdminAction record, then refused at
 * MAIL FROM; a tenant with the same rate under the minimum volume keeps sending; one blocked API
 * key (AdminAction `sender.block`) is refused 550 5.7.1 while its sibling key's mail is queued.
 */
import t from 'tap';
import { hashApiKey, newApiKey, type AdminActionRecord, type OutcomeRecord } from '../src/domain/index.ts';
import { blockSender } from '../src/policy/index.ts';
import { startRelayFixture, SmtpWire, type RelayFixture } from './support/relay-fixture.ts';

const CLEAN = 'Subject: Your order has shipped\r\n\r\nYour order 1042 has shipped and arrives Thursday.\r\n';

/** One transaction; the first reply of 400 or more (or the final one) is returned. */
async function send(relay: RelayFixture, apiKey: string, domain: string): Promise<string> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission, timeoutMs: 10_000 });
  try {
    await wire.command('EHLO client.test');
    await wire.startTls();
    await wire.command('EHLO client.test');
    if ((await wire.authPlain('apikey', apiKey)).code !== 235) throw new Error('AUTH failed');
    for (const line of [`MAIL FROM:<news@${domain}>`, 'RCPT TO:<reader@example.org>', 'DATA']) {
      const reply = await wire.command(line);
      if (reply.code >= 400) return reply.line;
    }
    wire.write(`From: news@${domain}\r\nTo: reader@example.org\r\n${CLEAN}.\r\n`);
    return (await wire.read()).line;
  } finally {
    wire.close();
  }
}

/** `count` received recipients and `complaints` complaints for a tenant, as outcome records. */
async function history(relay: RelayFixture, tenantId: string, count: number, complaints: number): Promise<void> {
  const at = Date.now();
  const records: OutcomeRecord[] = [];
  for (let i = 0; i < count; i++) {
    records.push({ type: 'Reception', at, tenantId, messageId: `m${i}`, mailFrom: 'news@x.test', recipients: [`r${i}@example.org`], size: 100, clientIp: '127.0.0.1', reply: '250' } as OutcomeRecord);
  }
  for (let i = 0; i < complaints; i++) records.push({ type: 'Complaint', at, tenantId, recipient: `r${i}@example.org`, source: 'arf' });
  await relay.state.appendOutcomes(records);
}

const config = { filter: { checks: { tenantReputation: { evaluateEvery: '0ms', minimumSent: { bounce: 50, complaint: 50 } } } } };

t.test('over the complaint threshold: suspended with a reason and one AdminAction record', async (t) => {
  const relay = await startRelayFixture(t, { config });
  const shop = await relay.tenant('shop');
  const small = await relay.tenant('small');
  t.match(await send(relay, shop.apiKey, shop.domain), /^250 /, 'clean history: accepted');

  await history(relay, shop.tenant.id, 200, 2); // 1 % > 0.5 %
  await history(relay, small.tenant.id, 20, 2); // 10 %, but under the minimum volume
  t.match(await send(relay, shop.apiKey, shop.domain), /^550 5\.7\.1 Message refused by content policy: tenant-reputation/);
  const tenant = await relay.state.getTenant(shop.tenant.id);
  t.equal(tenant?.status, 'suspended');
  t.match(tenant?.statusReason, /^automatic suspension: bounce rate 0\.00 %, complaint rate 1\.00 % over 201 recipients in 7d \(limits 10\.00 % \/ 0\.50 %\)$/);
  const actions = (await relay.state.readOutcomes({ tenantId: shop.tenant.id, types: ['AdminAction'] })) as AdminActionRecord[];
  const suspensions = actions.filter((a) => a.action === 'tenant.suspend');
  t.equal(suspensions.length, 1, 'exactly one AdminAction');
  t.match(suspensions[0], { actor: 'policy.reputation', target: shop.tenant.id, reason: tenant?.statusReason });
  t.match(await send(relay, shop.apiKey, shop.domain), /^550 5\.7\.1 /, 'a suspended tenant is refused from MAIL FROM on');
  t.equal((await relay.state.readOutcomes({ tenantId: shop.tenant.id, types: ['AdminAction'] })).length, actions.length, 'no second record');

  t.match(await send(relay, small.apiKey, small.domain), /^250 /, 'under the minimum volume: not acted on');
  t.equal((await relay.state.getTenant(small.tenant.id))?.status, 'active');
});

t.test('one blocked key is refused; its sibling key keeps sending', async (t) => {
  const relay = await startRelayFixture(t, { config });
  const apps = await relay.tenant('apps');
  const siblingKey = newApiKey();
  await relay.state.addApiKey(apps.tenant.id, hashApiKey(siblingKey));
  await blockSender(relay.state, { tenantId: apps.tenant.id, sender: apps.key.id, actor: 'test', reason: 'leaked key' });

  const blocked = await send(relay, apps.apiKey, apps.domain);
  t.match(blocked, /^550 5\.7\.1 Message refused by content policy: blocked-sender \(support reference CG-/);
  t.match(await send(relay, siblingKey, apps.domain), /^250 2\.0\.0 queued as /, 'sibling key accepted');
  t.equal((await relay.state.getTenant(apps.tenant.id))?.status, 'active', 'the tenant is not suspended');
  const rejections = await relay.state.readOutcomes({ tenantId: apps.tenant.id, types: ['Rejection'] });
  t.match(rejections.at(-1), { contentGate: { results: [{ check: 'sender', outcome: 'refuse', code: 'sender.blocked' }] } });
});
