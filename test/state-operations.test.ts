/**
 * Admin operations (src/admin/operations) on a real embedded store: tenant add/suspend/resume
 * with AdminAction records, relay networks, API keys stored as hashes only, and sending domains
 * whose two DKIM keys really sign: a signature made with the stored private key verifies with
 * the public key rebuilt from the published `p=` value.
 */
import t from 'tap';
import { createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { hashApiKey } from '../src/domain/index.ts';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openStateStore } from '../src/state/index.ts';
import * as ops from '../src/admin/operations/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ferry-ops-'));
const config = loadConfig({ env: { FERRY_DATA_DIR: dir, FERRY_SECRETS_MASTER_KEY: 'ab'.repeat(32) } });
const db = openLocalDatabase(dir);
const state = await openStateStore(config, db);
t.teardown(async () => {
  await state.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

t.test('tenants: add, suspend needs a reason, resume, relay networks, audit records', async (t) => {
  const tenant = await ops.addTenant(state, 'acme', { actor: 'test' });
  await t.rejects(ops.addTenant(state, 'acme'), { code: 'MTA_ERR_STATE_CONFLICT' });
  await t.rejects(ops.addTenant(state, 'bad name'), { code: 'MTA_ERR_INVALID_INPUT' });
  await t.rejects(ops.setTenantStatus(state, 'acme', 'suspended'), { code: 'MTA_ERR_INVALID_INPUT', message: /reason/ });
  await t.rejects(ops.setTenantStatus(state, 'nobody', 'active'), { code: 'MTA_ERR_NOT_FOUND' });
  t.match(await ops.setTenantStatus(state, 'acme', 'suspended', 'abuse report', { actor: 'test' }), { status: 'suspended', statusReason: 'abuse report' });
  t.match(await ops.setTenantStatus(state, tenant.id, 'active'), { status: 'active' });
  t.same((await ops.setRelayNetworks(state, 'acme', ['127.0.0.1', '10.0.0.0/8', '127.0.0.1/32'])).relayNetworks, ['127.0.0.1/32', '10.0.0.0/8']);
  await t.rejects(ops.setRelayNetworks(state, 'acme', ['10.0.0.0/99']), { code: 'MTA_ERR_INVALID_INPUT' });
  const actions = await state.readOutcomes({ tenantId: tenant.id, types: ['AdminAction'] });
  t.same(actions.map((r) => (r.type === 'AdminAction' ? r.action : '')), ['tenant.add', 'tenant.suspend', 'tenant.resume', 'tenant.relay-networks']);
  t.match(actions[1], { actor: 'test', reason: 'abuse report' });
});

t.test('api keys: only the hash is stored; revoke', async (t) => {
  const { key, record } = await ops.issueApiKey(state, 'acme');
  t.match(key, /^fy_[0-9a-z]{40}$/);
  t.equal(record.hash, hashApiKey(key));
  t.notOk(JSON.stringify(await state.listApiKeys(record.tenantId)).includes(key), 'clear key not stored');
  t.type((await ops.revokeApiKey(state, record.id)).revokedAt, 'number');
  await t.rejects(ops.revokeApiKey(state, 'key_nope'), { code: 'MTA_ERR_NOT_FOUND' });
});

function publicKeyFromDns(algorithm: string, p: string) {
  return algorithm === 'ed25519-sha256'
    ? createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(p, 'base64').toString('base64url') }, format: 'jwk' })
    : createPublicKey({ key: Buffer.from(p, 'base64'), format: 'der', type: 'spki' });
}

t.test('domains: two DKIM keys that sign and verify, DNS records', async (t) => {
  const { domain, dnsRecords } = await ops.addSendingDomain(state, 'acme', 'Mail.Acme.TEST', config);
  t.equal(domain.domain, 'mail.acme.test');
  t.same(domain.dkimKeys.map((k) => k.algorithm), ['ed25519-sha256', 'rsa-sha256']);
  t.match(domain.dkimKeys[0]?.selector, /^fy\d{6}e$/);
  t.match(domain.dkimKeys[1]?.selector, /^fy\d{6}r$/);
  const stored = await state.getDomain('mail.acme.test');
  for (const key of stored?.dkimKeys ?? []) {
    const data = Buffer.from('header hash input');
    const signature = sign(key.algorithm === 'rsa-sha256' ? 'sha256' : null, data, key.privateKeyPem);
    t.ok(verify(key.algorithm === 'rsa-sha256' ? 'sha256' : null, data, publicKeyFromDns(key.algorithm, key.publicKeyDns), signature), `${key.algorithm} verifies`);
  }
  const dkim = dnsRecords.filter((r) => r.purpose === 'dkim');
  t.equal(dkim.length, 2);
  t.match(dkim[0], { name: `${domain.dkimKeys[0]?.selector}._domainkey.mail.acme.test`, value: /^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/ });
  t.match(dkim[1], { value: /^v=DKIM1; k=rsa; p=MIIBIjAN/ });
  t.match(dnsRecords.find((r) => r.purpose === 'spf'), { name: 'mail.acme.test', value: 'v=spf1 ip4:127.0.0.1 ~all' });
  t.match(dnsRecords.find((r) => r.purpose === 'dmarc'), { name: '_dmarc.mail.acme.test', value: /^v=DMARC1; p=none; rua=mailto:/ });
  t.match(dnsRecords.find((r) => r.purpose === 'return-path'), { name: config.delivery.bounceDomain });
  await t.rejects(ops.addSendingDomain(state, 'acme', 'mail.acme.test', config), { code: 'MTA_ERR_STATE_CONFLICT' });
  await t.rejects(ops.addSendingDomain(state, 'acme', 'not a domain', config), { code: 'MTA_ERR_INVALID_INPUT' });
  t.same((await ops.listDomains(state, 'acme')).map((d) => d.domain), ['mail.acme.test']);
});
