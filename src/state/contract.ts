/**
 * The StateStore contract: one tap suite every implementation must pass (embedded now, Redis
 * later). Exports runStateStoreContract(t, makeStore); makeStore returns a fresh, empty store
 * for each subtest. Covers every method: unique tenant names and id/name lookup, status with
 * reason, patches, API keys (add, find by hash, list, revoke), domains with DKIM keys that
 * round-trip decrypted, and the outcome stream's seq order and every filter; then the credit
 * meter and limit primitives (contract-credits.ts) and the sending-IP inventory (contract-ips.ts).
 */
import type { Test } from 'tap';
import { hashApiKey, isFerryError, newApiKey } from '../domain/index.ts';
import type { BounceRecord, DeliveryRecord, DkimKey, OutcomeRecord, ReceptionRecord, SendingDomain } from '../domain/index.ts';
import { withStore, type MakeStore } from './contract-support.ts';
import type { OutcomeQuery } from './store.ts';
import { runCreditContract } from './contract-credits.ts';
import { runAdminTokenContract } from './contract-admin-tokens.ts';
import { runFeedbackContract } from './contract-feedback.ts';
import { runIpContract } from './contract-ips.ts';


async function rejectsWithCode(t: Test, promise: Promise<unknown>, code: string, message: string): Promise<void> {
  try {
    await promise;
    t.fail(`${message}: expected ${code}`);
  } catch (error) {
    t.ok(isFerryError(error) && error.code === code, `${message}: ${code} (got ${(error as Error).message})`);
  }
}

function tenantTests(t: Test, makeStore: MakeStore): void {
  t.test('tenants: create, unique names, lookup by id or name, list', async (t) => {
    await withStore(makeStore, async (store) => {
      const acme = await store.createTenant({ name: 'acme' });
      t.match(acme, { name: 'acme', status: 'active', pool: 'shared', ipFallback: 'pool', relayNetworks: [] });
      t.equal(acme.contactEmail, undefined, 'no contact email unless given');
      t.notOk('dedicatedIps' in acme, 'dedicated IPs are IP leases now, not a tenant field');
      t.match(acme.id, /^tn_/);
      await rejectsWithCode(t, store.createTenant({ name: 'acme' }), 'MTA_ERR_STATE_CONFLICT', 'duplicate name');
      const beta = await store.createTenant({ name: 'beta', pool: 'bulk', relayNetworks: ['127.0.0.0/8'] });
      t.same((await store.getTenant(acme.id))?.name, 'acme');
      t.same((await store.getTenant('beta'))?.id, beta.id);
      t.equal(await store.getTenant('nobody'), undefined);
      t.same((await store.listTenants()).map((x) => x.name).sort(), ['acme', 'beta']);
      t.same((await store.getTenant(beta.id))?.relayNetworks, ['127.0.0.0/8']);
      const gamma = await store.createTenant({ name: 'gamma', contactEmail: 'ops@gamma.test', ipFallback: 'wait' });
      t.match(await store.getTenant(gamma.id), { contactEmail: 'ops@gamma.test', ipFallback: 'wait' });
    });
  });

  t.test('tenants: concurrent creates with one name yield one tenant', async (t) => {
    await withStore(makeStore, async (store) => {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => store.createTenant({ name: 'race' })));
      t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      t.equal((await store.listTenants()).length, 1);
    });
  });

  t.test('tenants: status with reason, patch', async (t) => {
    await withStore(makeStore, async (store) => {
      const tenant = await store.createTenant({ name: 'acme' });
      const suspended = await store.setTenantStatus(tenant.id, 'suspended', 'spam complaints');
      t.match(suspended, { status: 'suspended', statusReason: 'spam complaints' });
      t.match(await store.getTenant('acme'), { status: 'suspended', statusReason: 'spam complaints' });
      const resumed = await store.setTenantStatus(tenant.id, 'active');
      t.equal(resumed.status, 'active');
      t.equal(resumed.statusReason, undefined, 'reason cleared on resume');
      const patched = await store.updateTenant(tenant.id, { relayNetworks: ['10.0.0.0/8'], pool: 'warm' });
      t.match(patched, { relayNetworks: ['10.0.0.0/8'], pool: 'warm', name: 'acme', status: 'active' });
      t.same((await store.getTenant(tenant.id))?.relayNetworks, ['10.0.0.0/8']);
      const contact = await store.updateTenant(tenant.id, { contactEmail: 'noc@acme.test', ipFallback: 'wait' });
      t.match(contact, { contactEmail: 'noc@acme.test', ipFallback: 'wait', pool: 'warm' });
      t.match(await store.getTenant(tenant.id), { contactEmail: 'noc@acme.test', ipFallback: 'wait', relayNetworks: ['10.0.0.0/8'] });
      await rejectsWithCode(t, store.setTenantStatus('tn_missing', 'closed'), 'MTA_ERR_NOT_FOUND', 'unknown tenant status');
      await rejectsWithCode(t, store.updateTenant('tn_missing', { pool: 'x' }), 'MTA_ERR_NOT_FOUND', 'unknown tenant patch');
    });
  });

  t.test('tenants: limits and content policy are set, replaced, kept, and cleared by null', async (t) => {
    await withStore(makeStore, async (store) => {
      const tenant = await store.createTenant({ name: 'acme' });
      t.notOk('limits' in tenant || 'contentPolicy' in tenant, 'none on a new tenant');
      const policy = { mode: 'monitor' as const, checks: { sectors: { threshold: 20 } }, allow: { senders: ['a@acme.test'] } };
      const set = await store.updateTenant(tenant.id, { limits: { dailyQuota: 2, burst: 5 }, contentPolicy: policy });
      t.same(set.limits, { dailyQuota: 2, burst: 5 });
      t.same(set.contentPolicy, policy);
      t.same((await store.getTenant(tenant.id))?.contentPolicy, policy, 'read back whole');
      const other = await store.updateTenant(tenant.id, { pool: 'warm' });
      t.same([other.limits, other.contentPolicy], [{ dailyQuota: 2, burst: 5 }, policy], 'a patch without them keeps them');
      const replaced = await store.updateTenant(tenant.id, { limits: { messagesPerSecond: 3 } });
      t.same(replaced.limits, { messagesPerSecond: 3 }, 'a value replaces the whole field');
      const cleared = await store.updateTenant(tenant.id, { limits: null });
      t.notOk('limits' in cleared, 'null removes limits');
      t.same(cleared.contentPolicy, policy, 'clearing limits keeps the content policy');
      const both = await store.updateTenant(tenant.id, { contentPolicy: null });
      t.notOk('contentPolicy' in both, 'null removes the content policy');
      const stored = await store.getTenant(tenant.id);
      t.notOk(stored && ('limits' in stored || 'contentPolicy' in stored), 'gone from the store too');
      t.match(stored, { name: 'acme', pool: 'warm', status: 'active' });
    });
  });
}

function keyTests(t: Test, makeStore: MakeStore): void {
  t.test('api keys: add, find by hash, list per tenant, revoke', async (t) => {
    await withStore(makeStore, async (store) => {
      const acme = await store.createTenant({ name: 'acme' });
      const beta = await store.createTenant({ name: 'beta' });
      const hashA = hashApiKey(newApiKey());
      const keyA = await store.addApiKey(acme.id, hashA);
      const keyB = await store.addApiKey(beta.id, hashApiKey(newApiKey()));
      t.match(keyA, { tenantId: acme.id, hash: hashA });
      t.match(keyA.id, /^key_/);
      t.same((await store.findApiKeyByHash(hashA))?.id, keyA.id);
      t.equal(await store.findApiKeyByHash(hashApiKey('unknown')), undefined);
      await rejectsWithCode(t, store.addApiKey(beta.id, hashA), 'MTA_ERR_STATE_CONFLICT', 'same hash twice');
      await rejectsWithCode(t, store.addApiKey('tn_missing', hashApiKey('x')), 'MTA_ERR_NOT_FOUND', 'key for unknown tenant');
      t.same((await store.listApiKeys(acme.id)).map((k) => k.id), [keyA.id]);
      t.same((await store.listApiKeys(beta.id)).map((k) => k.id), [keyB.id]);
      const revoked = await store.revokeApiKey(keyA.id);
      t.type(revoked?.revokedAt, 'number');
      t.type((await store.findApiKeyByHash(hashA))?.revokedAt, 'number', 'revoked key still found, marked');
      t.equal((await store.revokeApiKey(keyA.id))?.revokedAt, revoked?.revokedAt, 'revoke is idempotent');
      t.equal(await store.revokeApiKey('key_missing'), undefined);
    });
  });
}

function dkimKey(selector: string, algorithm: DkimKey['algorithm']): DkimKey {
  const pem = `-----BEGIN PRIVATE KEY-----\n${selector}-${algorithm}-secret\n-----END PRIVATE KEY-----\n`;
  return { selector, algorithm, privateKeyPem: pem, publicKeyDns: `pub-${selector}`, createdAt: Date.now() };
}

function domainTests(t: Test, makeStore: MakeStore): void {
  t.test('domains: keys round-trip decrypted, one owner, list per tenant', async (t) => {
    await withStore(makeStore, async (store) => {
      const acme = await store.createTenant({ name: 'acme' });
      const beta = await store.createTenant({ name: 'beta' });
      const input: SendingDomain = {
        domain: 'mail.acme.test',
        tenantId: acme.id,
        createdAt: Date.now(),
        dkimKeys: [dkimKey('fy202501e', 'ed25519-sha256'), dkimKey('fy202501r', 'rsa-sha256')],
      };
      t.same(await store.addDomain(input), input);
      t.same(await store.getDomain('mail.acme.test'), input, 'private keys come back decrypted');
      t.same(await store.getDomain('MAIL.Acme.test'), input, 'lookup ignores case');
      t.equal(await store.getDomain('other.test'), undefined);
      t.equal(await store.getDomainOwner('MAIL.acme.test'), input.tenantId, 'owner without opening keys');
      t.equal(await store.getDomainOwner('other.test'), undefined);
      const again = { ...input, tenantId: beta.id };
      await rejectsWithCode(t, store.addDomain(again), 'MTA_ERR_STATE_CONFLICT', 'domain of another tenant');
      await rejectsWithCode(t, store.addDomain({ ...input, tenantId: 'tn_missing', domain: 'x.test' }), 'MTA_ERR_NOT_FOUND', 'unknown tenant');
      await store.addDomain({ ...input, domain: 'beta.test', tenantId: beta.id });
      t.same((await store.listDomains(acme.id)).map((d) => d.domain), ['mail.acme.test']);
      t.same((await store.listDomains(beta.id))[0]?.dkimKeys[1]?.privateKeyPem, input.dkimKeys[1]?.privateKeyPem);
    });
  });
  t.test('domains: DKIM keys replaced by compare-and-set on the signing selectors', async (t) => {
    await withStore(makeStore, async (store) => {
      const acme = await store.createTenant({ name: 'acme' });
      const old = [dkimKey('fy202501e', 'ed25519-sha256'), dkimKey('fy202501r', 'rsa-sha256')];
      await store.addDomain({ domain: 'mail.acme.test', tenantId: acme.id, createdAt: 1, dkimKeys: old });
      const fresh = [dkimKey('fy202502e', 'ed25519-sha256'), dkimKey('fy202502r', 'rsa-sha256')];
      const rotatedDkimKeys = old.map(({ privateKeyPem: _secret, ...rest }) => ({ ...rest, rotatedAt: 2 }));
      const rotated = await store.replaceDomainKeys('MAIL.acme.test', ['fy202501e', 'fy202501r'], { dkimKeys: fresh, rotatedDkimKeys });
      t.same(rotated, { domain: 'mail.acme.test', tenantId: acme.id, createdAt: 1, dkimKeys: fresh, rotatedDkimKeys });
      t.same(await store.getDomain('mail.acme.test'), rotated, 'new private keys come back decrypted, rotated keys public only');
      await rejectsWithCode(t, store.replaceDomainKeys('mail.acme.test', ['fy202501e', 'fy202501r'], { dkimKeys: old, rotatedDkimKeys: [] }), 'MTA_ERR_STATE_CONFLICT', 'stale selectors');
      t.same((await store.getDomain('mail.acme.test'))?.dkimKeys, fresh, 'a stale rotation changed nothing');
      await rejectsWithCode(t, store.replaceDomainKeys('none.test', [], { dkimKeys: fresh, rotatedDkimKeys: [] }), 'MTA_ERR_NOT_FOUND', 'unknown domain');
      const retired = await store.replaceDomainKeys('mail.acme.test', ['fy202502e', 'fy202502r'], { dkimKeys: fresh, rotatedDkimKeys: [] });
      t.notOk('rotatedDkimKeys' in retired, 'no rotated keys left after retirement');
      t.same((await store.listDomains(acme.id))[0], retired);
    });
  });
}

function outcome(type: 'Reception', messageId: string, tenantId: string): ReceptionRecord;
function outcome(type: 'Delivery' | 'Bounce', messageId: string, tenantId: string): DeliveryRecord | BounceRecord;
function outcome(type: 'Reception' | 'Delivery' | 'Bounce', messageId: string, tenantId: string): OutcomeRecord {
  const at = Date.now();
  if (type === 'Reception') return { type, at, messageId, tenantId, recipients: ['a@x.test'], mailFrom: 'f@y.test', size: 10, clientIp: '127.0.0.1', reply: '250' };
  return { type, at, messageId, tenantId, deliveryId: `${messageId}.1`, recipients: ['a@x.test'], attempt: 1 };
}

function outcomeTests(t: Test, makeStore: MakeStore): void {
  t.test('outcomes: seq order and every filter', async (t) => {
    await withStore(makeStore, async (store) => {
      t.same(await store.readOutcomes({}), [], 'empty stream');
      await store.appendOutcomes([outcome('Reception', 'm1', 'tA'), outcome('Reception', 'm2', 'tB')]);
      await store.appendOutcomes([outcome('Delivery', 'm1', 'tA'), outcome('Bounce', 'm2', 'tB'), outcome('Reception', 'm3', 'tA')]);
      await store.appendOutcomes([]);
      const all = await store.readOutcomes({});
      t.same(all.map((r) => r.seq), [1, 2, 3, 4, 5].map((n) => (all[0]?.seq ?? 0) + n - 1), 'consecutive seq');
      t.same(all.map((r) => r.messageId), ['m1', 'm2', 'm1', 'm2', 'm3'], 'append order');
      const first = all[0]?.seq ?? 0;
      t.same((await store.readOutcomes({ messageId: 'm1' })).map((r) => r.type), ['Reception', 'Delivery']);
      t.same((await store.readOutcomes({ tenantId: 'tA' })).map((r) => r.messageId), ['m1', 'm1', 'm3']);
      t.same((await store.readOutcomes({ types: ['Reception'] })).map((r) => r.messageId), ['m1', 'm2', 'm3']);
      t.same((await store.readOutcomes({ afterSeq: first + 2 })).map((r) => r.messageId), ['m2', 'm3']);
      t.same((await store.readOutcomes({ limit: 2 })).map((r) => r.seq), [first, first + 1]);
      t.same((await store.readOutcomes({ tenantId: 'tB', types: ['Bounce'] })).map((r) => r.messageId), ['m2']);
      t.same((await store.readOutcomes({ messageId: 'm1', tenantId: 'tB' })), [], 'message and tenant both apply');
      t.same((await store.readOutcomes({ messageId: 'm2', afterSeq: first + 1 })).map((r) => r.type), ['Bounce']);
      t.same((await store.readOutcomes({ tenantId: 'tA', types: ['Reception', 'Delivery'], limit: 2 })).length, 2);
      t.same(await store.readOutcomes({ messageId: 'none' }), []);
    });
  });

  t.test('outcomes: several types merge in seq order, from afterSeq, up to the limit', async (t) => {
    await withStore(makeStore, async (store) => {
      await store.appendOutcomes([outcome('Reception', 'k1', 'tK'), outcome('Delivery', 'k1', 'tK'), outcome('Reception', 'k2', 'tL'), outcome('Bounce', 'k2', 'tL'), outcome('Delivery', 'k3', 'tK')]);
      const all = await store.readOutcomes({});
      const first = all[0]?.seq ?? 0;
      const pick = async (query: OutcomeQuery) => (await store.readOutcomes(query)).map((r) => `${r.type}:${r.messageId}`);
      t.same(await pick({ types: ['Delivery', 'Bounce'] }), ['Delivery:k1', 'Bounce:k2', 'Delivery:k3']);
      t.same(await pick({ types: ['Bounce', 'Delivery'], afterSeq: first + 1 }), ['Bounce:k2', 'Delivery:k3']);
      t.same(await pick({ types: ['Delivery', 'Reception'], limit: 3 }), ['Reception:k1', 'Delivery:k1', 'Reception:k2']);
      t.same(await pick({ tenantId: 'tK', types: ['Delivery', 'Reception'], afterSeq: first }), ['Delivery:k1', 'Delivery:k3']);
      t.same(await pick({ types: ['Complaint'] }), []);
    });
  });

  t.test('outcomes: appends count per-tenant volumes by hour; since selects the buckets', async (t) => {
    await withStore(makeStore, async (store) => {
      const now = Date.now();
      const hour = 3_600_000;
      const twoRecipients = { ...outcome('Reception', 'v1', 'tV'), recipients: ['a@x.test', 'b@x.test'] };
      const bounce = (messageId: string, hard: boolean, at: number): BounceRecord => ({ type: 'Bounce', at, messageId, tenantId: 'tV', deliveryId: `${messageId}.1`, recipients: ['a@x.test'], attempt: 1, hard });
      const hard = bounce('v1', true, now);
      const soft = bounce('v2', false, now - 3 * hour);
      const complaint: OutcomeRecord = { type: 'Complaint', at: now, tenantId: 'tV', messageId: 'v1', recipient: 'a@x.test', source: 'arf' };
      await store.appendOutcomes([twoRecipients, outcome('Delivery', 'v1', 'tV'), hard, soft, complaint, outcome('Reception', 'w1', 'tW')]);
      t.same(await store.tenantVolumes('tV', now - 60_000), { received: 2, attempted: 2, hardBounces: 1, complaints: 1 }, 'this hour');
      t.same(await store.tenantVolumes('tV', now - 4 * hour), { received: 2, attempted: 3, hardBounces: 1, complaints: 1 }, 'with the older soft bounce');
      t.same(await store.tenantVolumes('tW', now - hour), { received: 1, attempted: 0, hardBounces: 0, complaints: 0 }, 'another tenant apart');
      t.same(await store.tenantVolumes('nobody', now - hour), { received: 0, attempted: 0, hardBounces: 0, complaints: 0 });
    });
  });

  t.test('outcomes: concurrent appends never share a seq', async (t) => {
    await withStore(makeStore, async (store) => {
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.appendOutcomes([outcome('Reception', `c${i}`, 'tC'), outcome('Delivery', `c${i}`, 'tC')])));
      const seqs = (await store.readOutcomes({ tenantId: 'tC' })).map((r) => r.seq ?? -1);
      t.equal(seqs.length, 40);
      t.equal(new Set(seqs).size, 40, 'unique');
      t.same(seqs, [...seqs].sort((a, b) => a - b), 'increasing');
    });
  });
}

export function runStateStoreContract(t: Test, makeStore: MakeStore): void {
  tenantTests(t, makeStore);
  keyTests(t, makeStore);
  domainTests(t, makeStore);
  outcomeTests(t, makeStore);
  runCreditContract(t, makeStore);
  runAdminTokenContract(t, makeStore);
  runFeedbackContract(t, makeStore);
  runIpContract(t, makeStore);
}
