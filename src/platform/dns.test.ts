// Unit tests for the resolver's pure parts: server strings and name normalisation (sockets: test/dns.test.ts).
import t from 'tap';
import { parseServer } from './dns-transport.ts';
import { normaliseDnsName } from './dns.ts';

t.test('server strings: IPv4/IPv6 with or without port', async (t) => {
  t.same(parseServer('10.0.0.1'), { host: '10.0.0.1', port: 53 });
  t.same(parseServer('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  t.same(parseServer('::1'), { host: '::1', port: 53 });
  t.same(parseServer('2001:db8::53'), { host: '2001:db8::53', port: 53 });
  t.same(parseServer('[::1]:5300'), { host: '::1', port: 5300 });
  t.same(parseServer('[::1]'), { host: '::1', port: 53 });
});

t.test('server strings that are not an IP (and port) are refused', async (t) => {
  for (const bad of ['', 'dns.example', 'dns.example:53', '127.0.0.1:0', '127.0.0.1:x', '[::1]:70000', '1.2.3']) {
    t.throws(() => parseServer(bad), { code: 'MTA_ERR_DNS' }, bad);
  }
});

t.test('names are compared lower case without trailing dot', async (t) => {
  t.equal(normaliseDnsName(' Example.COM. '), 'example.com');
  t.equal(normaliseDnsName('.'), '');
});
