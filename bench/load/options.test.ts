/**
 * Unit tests of the bench load source's options and message factory: size specs with weights,
 * loopback-only targets, AUTH sources, and bodies of exact size that need no dot-stuffing.
 */
import t from 'tap';
import { buildBody, MessageFactory } from './message.ts';
import { parseByteCount, parseLoadOptions, parseSizeSpec, UsageError } from './options.ts';

t.test('byte counts and size specs', async (t) => {
  t.equal(parseByteCount('5k'), 5000);
  t.equal(parseByteCount('1.5M'), 1_500_000);
  t.equal(parseByteCount('700'), 700);
  t.throws(() => parseByteCount('5 kilobytes'), UsageError);
  t.same(parseSizeSpec('1k,5k'), [{ bytes: 1000, weight: 1 }, { bytes: 5000, weight: 1 }]);
  t.same(parseSizeSpec('1k:70,500k:1'), [{ bytes: 1000, weight: 70 }, { bytes: 500_000, weight: 1 }]);
  t.throws(() => parseSizeSpec('1k:0'), UsageError);
  t.throws(() => parseSizeSpec(''), UsageError);
});

t.test('defaults, loopback-only target, auth from flag or env, --no-auth wins', async (t) => {
  const d = parseLoadOptions([]);
  t.match(d, { host: '127.0.0.1', port: 2587, tls: 'starttls', auth: null, connections: 50, messages: 10000, pipelining: true });
  t.throws(() => parseLoadOptions(['--target', '10.0.0.1:25']), UsageError);
  t.throws(() => parseLoadOptions(['--target', 'example.com:25']), UsageError);
  t.equal(parseLoadOptions(['--target', 'localhost:2526']).host, '127.0.0.1');
  t.same(parseLoadOptions(['--auth', 'acme:k:e:y']).auth, { user: 'acme', pass: 'k:e:y' });
  t.same(parseLoadOptions([], { BENCH_AUTH: 'u:p' }).auth, { user: 'u', pass: 'p' });
  t.equal(parseLoadOptions(['--no-auth'], { BENCH_AUTH: 'u:p' }).auth, null);
  t.throws(() => parseLoadOptions(['--auth', 'nocolon']), UsageError);
  t.equal(parseLoadOptions(['--reconnect']).messagesPerConnection, 1);
  t.equal(parseLoadOptions(['--no-pipelining', '--no-unique-rcpts']).pipelining, false);
  t.throws(() => parseLoadOptions(['--tls', 'ssl']), UsageError);
  t.throws(() => parseLoadOptions(['--connections', '0']), UsageError);
  t.throws(() => parseLoadOptions(['--bogus']), UsageError);
});

t.test('bodies: exact size, CRLF lines <= 78 bytes, no leading dot', async (t) => {
  for (const size of [1, 2, 3, 77, 78, 79, 1000, 5000, 50_000]) {
    const body = buildBody(size);
    t.equal(body.length, size, `size ${size}`);
    t.notOk(body.includes(0), 'every byte written');
    const lines = body.toString('latin1').split('\r\n');
    t.ok(lines.every((l) => l.length <= 78 && !l.startsWith('.') && !l.includes('\n') && !l.includes('\r')), `lines of ${size}`);
  }
});

t.test('factory: unique or fixed recipients, weighted sizes deterministic by seed', async (t) => {
  const opts = parseLoadOptions(['--rcpts', '2', '--size', '1k:3,5k:1', '--run-id', 'run1', '--seed', '7']);
  const f = new MessageFactory(opts);
  const m = f.make(42);
  t.same(m.recipients, ['r42.1@example.net', 'r42.2@example.net']);
  t.match(m.header, /\r\nX-Bench-Id: run1\.42\r\n/);
  t.ok(m.header.endsWith('\r\n\r\n'));
  const sizes = new MessageFactory(opts);
  const picks = Array.from({ length: 4000 }, (_, i) => sizes.make(i).bodyBytes);
  const small = picks.filter((b) => b === 1000).length;
  t.ok(small > 2800 && small < 3200, `~75% small, got ${small}`);
  const again = new MessageFactory(opts);
  t.same(Array.from({ length: 50 }, (_, i) => again.make(i).bodyBytes), picks.slice(0, 50));
  const fixed = new MessageFactory(parseLoadOptions(['--no-unique-rcpts', '--rcpts', '2'])).make(9);
  t.same(fixed.recipients, ['rcpt1@example.net', 'rcpt2@example.net']);
});
