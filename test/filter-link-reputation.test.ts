/**
 * Link and domain reputation against a real DNS server on loopback (test/support/dns-server.ts):
 * a blocklist zone listing one link domain → refused 550 with the zone's category (phishing); a
 * listed envelope-sender domain → refused (spam); clean domains pass and a second message is
 * answered from the resolver's cache (no new query); the zone's own error code (127.255.255.254)
 * is not a listing but is recorded; a zone that never answers spends the budget → skipped and
 * recorded (`skip`) or 451 4.3.0 (`tempfail`).
 */
import t from 'tap';
import { loadConfig } from '../src/config/index.ts';
import { createContentGate, type ContentGate } from '../src/policy/index.ts';
import { startDnsServer } from './support/dns-server.ts';

const ZONE = 'dbl.test';
const CODES = { '127.0.1.2': 'spam', '127.0.1.4': 'phishing', '127.0.1.5': 'malware' };

const dns = await startDnsServer({
  [`evil-links.test.${ZONE}`]: { A: ['127.0.1.4'] },
  [`spammer.test.${ZONE}`]: { A: ['127.0.1.2'] },
  [`refused-query.test.${ZONE}`]: { A: ['127.255.255.254'] },
  [`slow.test.${ZONE}`]: { behaviour: 'timeout' },
});
t.teardown(() => dns.stop());

function gateWith(onBudgetExceeded: 'skip' | 'tempfail', budget = '400ms'): ContentGate {
  const config = loadConfig({
    env: {},
    overrides: { filter: { checks: { linkReputation: { enabled: true, zones: [{ name: ZONE, codes: CODES }], servers: [dns.hostPort], budget, onBudgetExceeded } } } },
  });
  const gate = createContentGate(config.filter, { dns: config.dns });
  if (!gate) throw new Error('gate off');
  return gate;
}

function message(link: string): Buffer {
  return Buffer.from(`From: news@shop.example\r\nSubject: Our spring catalogue\r\nContent-Type: text/html\r\n\r\n<p>See the <a href="${link}">new catalogue</a>.</p>\r\n`);
}

const envelope = (mailFrom = 'news@shop.example') => ({ tenantId: 'tn_test', mailFrom, recipients: ['reader@example.org'], clientIp: '127.0.0.1' });

t.test('a listed link domain is refused with the zone category', async (t) => {
  const gate = gateWith('skip');
  const outcome = await gate.evaluate(message('https://www.evil-links.test/login'), envelope());
  t.equal(outcome.verdict.kind, 'refuse');
  t.match(outcome.verdict.kind === 'refuse' ? outcome.verdict.text : '', /content policy: phishing$/);
  const result = outcome.record.results.find((r) => r.check === 'link-reputation');
  t.match(result, { outcome: 'refuse', code: 'link-reputation.phishing', detail: /evil-links\.test listed by dbl\.test \(phishing\)/ });
});

t.test('a listed sender domain is refused (spam)', async (t) => {
  const outcome = await gateWith('skip').evaluate(message('https://shop.example/spring'), envelope('promo@spammer.test'));
  t.equal(outcome.verdict.kind, 'refuse');
  t.match(outcome.record.results.at(-1), { check: 'link-reputation', code: 'link-reputation.spam' });
});

t.test('clean domains pass; the second message is answered from the cache', async (t) => {
  const gate = gateWith('tempfail');
  const first = await gate.evaluate(message('https://cdn.good-shop.test/a.png'), envelope());
  t.equal(first.verdict.kind, 'accept');
  t.match(first.record.results.find((r) => r.check === 'link-reputation'), { outcome: 'pass', detail: /domain\(s\) clean/ });
  const queries = dns.queryCount(`good-shop.test.${ZONE}`);
  t.ok(queries > 0, 'the base domain was asked');
  const second = await gate.evaluate(message('https://cdn.good-shop.test/b.png'), envelope());
  t.equal(second.verdict.kind, 'accept');
  t.equal(dns.queryCount(`good-shop.test.${ZONE}`), queries, 'no new query: cached');
});

t.test("the zone's refusal code is not a listing, and is recorded", async (t) => {
  const outcome = await gateWith('skip').evaluate(message('https://refused-query.test/'), envelope());
  t.equal(outcome.verdict.kind, 'accept');
  t.match(outcome.record.results.at(-1), { check: 'link-reputation', outcome: 'pass', code: 'link-reputation.incomplete', detail: /query refused \(127\.255\.255\.254\).*skipped/ });
});

t.test('budget exceeded: skip records it, tempfail answers 451', async (t) => {
  const started = Date.now();
  const skipped = await gateWith('skip', '300ms').evaluate(message('https://slow.test/offer'), envelope());
  t.ok(Date.now() - started < 2_000, 'bounded by the budget');
  t.equal(skipped.verdict.kind, 'accept');
  t.match(skipped.record.results.at(-1), { check: 'link-reputation', code: 'link-reputation.incomplete', detail: /unanswered within 300ms; skipped by policy/ });
  const failed = await gateWith('tempfail', '300ms').evaluate(message('https://slow.test/offer'), envelope());
  t.match(failed.verdict, { kind: 'tempfail', reason: 'internal.failure' });
  t.match(failed.record.results.at(-1), { check: 'link-reputation', outcome: 'error', detail: /link reputation incomplete/ });
});
