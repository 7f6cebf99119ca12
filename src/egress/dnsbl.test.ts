// Unit tests for DNSBL query names and the reading of a zone's answers (lookups over sockets: test/egress-blocklists.test.ts).
import t from 'tap';
import { dnsblQueryName, interpretDnsblAnswer, type DnsblZone } from './dnsbl.ts';

const zen: DnsblZone = { name: 'zen.test', codes: { '127.0.0.2': 'sbl', '127.0.0.4': 'xbl', '127.0.0.10': 'pbl' } };
const records = (...addresses: string[]) => ({ kind: 'records' as const, records: addresses, ttl: 60 });

t.test('IPv4 query names reverse the octets under the zone', async (t) => {
  t.equal(dnsblQueryName('127.0.0.2', 'zen.test'), '2.0.0.127.zen.test');
  t.equal(dnsblQueryName('192.0.2.11', 'zen.spamhaus.org.'), '11.2.0.192.zen.spamhaus.org');
});

t.test('IPv6 query names reverse all 32 nibbles', async (t) => {
  const expected = 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.zen.test';
  t.equal(dnsblQueryName('4321:0:1:2:3:4:567:89ab', 'zen.test'), expected);
  t.equal(dnsblQueryName('2001:DB8::1', 'zen.test'), `1.0.0.0.${'0.'.repeat(20)}8.b.d.0.1.0.0.2.zen.test`);
  t.equal(dnsblQueryName('::1', 'z.test'), `1.${'0.'.repeat(31)}z.test`);
  t.equal(dnsblQueryName('::', 'z.test'), `${'0.'.repeat(32)}z.test`);
  t.equal(dnsblQueryName('2001:db8::', 'z.test'), `${'0.'.repeat(24)}8.b.d.0.1.0.0.2.z.test`);
  t.equal(dnsblQueryName('::ffff:192.0.2.1', 'z.test'), `1.0.2.0.0.0.0.c.f.f.f.f.${'0.'.repeat(20)}z.test`);
});

t.test('something that is not an IP is refused', async (t) => {
  for (const bad of ['', 'mail.example', '1.2.3', '1.2.3.4.5', '::g']) {
    t.throws(() => dnsblQueryName(bad, 'zen.test'), { code: 'MTA_ERR_INVALID_INPUT' }, bad);
  }
});

t.test('NXDOMAIN and NODATA mean not listed', async (t) => {
  t.same(interpretDnsblAnswer({ kind: 'nxdomain' }, zen), { kind: 'clear' });
  t.same(interpretDnsblAnswer({ kind: 'nodata' }, zen), { kind: 'clear' });
});

t.test('answers in 127.0.0.0/8 are listings with the zone meaning of the code', async (t) => {
  t.same(interpretDnsblAnswer(records('127.0.0.2'), zen), { kind: 'listed', code: '127.0.0.2', meaning: 'sbl' });
  t.same(interpretDnsblAnswer(records('127.0.0.10'), zen), { kind: 'listed', code: '127.0.0.10', meaning: 'pbl' });
  t.same(interpretDnsblAnswer(records('127.0.0.9'), zen), { kind: 'listed', code: '127.0.0.9', meaning: 'listed' }, 'unknown code');
  t.same(interpretDnsblAnswer(records('127.0.0.10', '127.0.0.4', '127.0.0.2'), zen), { kind: 'listed', code: '127.0.0.2,127.0.0.4,127.0.0.10', meaning: 'sbl,xbl,pbl' }, 'several codes, sorted by value');
  t.same(interpretDnsblAnswer(records('127.0.0.4', '127.0.0.4'), zen), { kind: 'listed', code: '127.0.0.4', meaning: 'xbl' }, 'duplicates once');
});

t.test("the zone's refusals and DNS failures are errors, never clear", async (t) => {
  for (const code of ['127.255.255.252', '127.255.255.254', '127.255.255.255']) {
    const result = interpretDnsblAnswer(records(code), zen);
    t.equal(result.kind, 'error', code);
    t.match(result, { why: new RegExp(`zen.test: query refused by the zone \\(${code.replaceAll('.', '\\.')}\\)`) });
  }
  t.equal(interpretDnsblAnswer(records('127.0.0.2', '127.255.255.254'), zen).kind, 'error', 'a refusal spoils the whole answer');
  t.same(interpretDnsblAnswer({ kind: 'servfail' }, zen), { kind: 'error', why: 'zen.test: servfail' });
  t.same(interpretDnsblAnswer({ kind: 'timeout' }, zen), { kind: 'error', why: 'zen.test: timeout' });
  t.same(interpretDnsblAnswer(records('198.51.100.7'), zen), { kind: 'error', why: 'zen.test: answer 198.51.100.7 is outside 127.0.0.0/8' });
  t.equal(interpretDnsblAnswer(records('::1'), zen).kind, 'error', 'an IPv6 answer is not a DNSBL code');
});
