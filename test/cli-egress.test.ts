/**
 * `ferry ip list`, `ferry pool list` and `ferry domain check` against this node's config and a
 * real DNS server on loopback: a domain whose records are all published checks ok; one with a
 * record missing is reported with which record and why.
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

t.test('ip list and pool list show the configured sending IPs and pools', async (t) => {
  const ips = JSON.parse(await runCli(dataDir, ['--json', 'ip', 'list'], egress)) as Array<{ address: string; pools: string[] }>;
  t.same(ips.map((ip) => [ip.address, ip.pools]), [['127.0.0.2', ['shared']], ['127.0.0.3', ['shared', 'vip']]]);
  const pools = JSON.parse(await runCli(dataDir, ['--json', 'pool', 'list'], egress)) as Array<{ name: string; members: unknown[] }>;
  t.same(pools, [
    { name: 'shared', members: [{ address: '127.0.0.2', weight: 1 }, { address: '127.0.0.3', weight: 3 }] },
    { name: 'vip', members: [{ address: '127.0.0.3', weight: 1 }] },
  ]);
  t.match(await runCli(dataDir, ['ip', 'list'], egress), /127\.0\.0\.3\s+out3\.test\s+shared,vip\s+active/);
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
