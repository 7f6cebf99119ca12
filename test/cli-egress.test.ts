/**
 * `ferry ip list`, `ferry pool list` (the IP inventory in this node's store) and `ferry domain
 * check` against a real DNS server on loopback: a domain whose records are all published checks
 * ok; one with a record missing is reported with which record and why.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './support/relay-process.ts';
import { startDnsServer, type DnsZone } from './support/dns-server.ts';

interface Suggestion {
  readonly purpose: string;
  readonly name: string;
  readonly value: string;
}

const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-egress-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
const egress = {
  FERRY_EGRESS_IPS: JSON.stringify([{ address: '127.0.0.2', helo: 'out2.test' }, { address: '127.0.0.3', helo: 'out3.test' }]),
  FERRY_EGRESS_POOLS: JSON.stringify({ shared: ['127.0.0.2', { address: '127.0.0.3', weight: 3 }], vip: ['127.0.0.3'] }),
};

t.test('ip list and pool list show the inventory: state, lease and pools', async (t) => {
  t.match(await runCli(dataDir, ['ip', 'list'], egress), /no IPs in the inventory/, 'the inventory starts empty (the relay registers its egress.ips at start)');
  await runCli(dataDir, ['ip', 'add', '127.0.0.2', '--helo', 'out2.test'], egress);
  await runCli(dataDir, ['ip', 'add', '127.0.0.3', '--helo', 'out3.test'], egress);
  await runCli(dataDir, ['pool', 'set', 'shared', '--member', '127.0.0.2', '--member', '127.0.0.3:3'], egress);
  await runCli(dataDir, ['pool', 'set', 'vip', '--member', '127.0.0.3'], egress);
  const ips = JSON.parse(await runCli(dataDir, ['--json', 'ip', 'list'], egress)) as Array<{ address: string; pools: string[]; state: string }>;
  t.same(ips.map((ip) => [ip.address, ip.pools, ip.state]), [['127.0.0.2', ['shared'], 'available'], ['127.0.0.3', ['shared', 'vip'], 'available']]);
  const pools = JSON.parse(await runCli(dataDir, ['--json', 'pool', 'list'], egress)) as Array<{ name: string; kind: string; members: unknown[] }>;
  t.match(pools, [
    { name: 'shared', kind: 'shared', members: [{ address: '127.0.0.2', weight: 1 }, { address: '127.0.0.3', weight: 3 }] },
    { name: 'vip', kind: 'custom', members: [{ address: '127.0.0.3', weight: 1 }] },
  ]);
  t.equal(pools.length, 2);
  t.match(await runCli(dataDir, ['ip', 'list'], egress), /127\.0\.0\.3\s+out3\.test\s+available\s+-\s+shared,vip/);
});

t.test('domain check: every record published → ok; one missing → named', async (t) => {
  await runCli(dataDir, ['tenant', 'add', 'checkco'], egress);
  const added = JSON.parse(await runCli(dataDir, ['--json', 'domain', 'add', 'checkco', 'check.test'], egress)) as { dnsRecords: Suggestion[] };
  const zone: Record<string, { TXT: string[] }> = {};
  for (const record of added.dnsRecords) (zone[record.name] ??= { TXT: [] }).TXT.push(record.value);
  const dns = await startDnsServer(zone as DnsZone);
  t.teardown(() => dns.stop());
  const env = { ...egress, FERRY_DNS_SERVERS: JSON.stringify([dns.hostPort]) };

  const good = JSON.parse(await runCli(dataDir, ['--json', 'domain', 'check', 'check.test'], env)) as { ok: boolean; checks: Array<{ purpose: string; status: string }> };
  t.equal(good.ok, true, JSON.stringify(good.checks));
  t.same(new Set(good.checks.map((c) => c.purpose)), new Set(added.dnsRecords.map((r) => r.purpose)), 'every suggested record was checked');

  const dmarc = added.dnsRecords.find((r) => r.purpose === 'dmarc');
  t.ok(dmarc, 'a DMARC record is suggested');
  const { [dmarc!.name]: _removed, ...withoutDmarc } = zone;
  dns.setZone(withoutDmarc as DnsZone);
  const bad = JSON.parse(await runCli(dataDir, ['--json', 'domain', 'check', 'check.test'], env)) as { ok: boolean; checks: Array<{ purpose: string; status: string }> };
  t.equal(bad.ok, false);
  t.match(bad.checks.find((c) => c.purpose === 'dmarc'), { status: 'missing' });
});
