/**
 * Unit tests of the content gate's pure pieces: term matching (accents, prefixes, phrases), HTML
 * stripping and link domains, card numbers (Luhn, issuer, grouping), IBAN mod-97, ZIP listing,
 * attachment names (double extension, bidi), policy resolution and the gate's timeout → 451.
 */
import t from 'tap';
import { loadConfig } from '../../config/index.ts';
import { buildZip } from '../../../test/support/filter-corpus.ts';
import { inspectAttachment } from './attachments.ts';
import { ContentGate } from './gate.ts';
import { htmlToView, linkDomain } from './html.ts';
import { PolicyResolver, resolvePolicy } from './policy.ts';
import { loadFilterRules } from './rules.ts';
import { findCards, findIbans, ibanValid, luhnValid } from './sensitive.ts';
import { TermIndex, normalizeText, words } from './terms.ts';
import { listZipEntries } from './zip.ts';

const rules = loadFilterRules('');

t.test('terms: accents and case ignored, prefixes, phrases across punctuation', async (t) => {
  t.equal(normalizeText('Façade – ÉTÉ, Straße!'), 'facade ete strasse');
  const index = new TermIndex<string>();
  index.add('casino*', 'a');
  index.add('sans ordonnance', 'b');
  index.add('free spin*', 'c');
  const hits = index.find('Les CASINOS… Viagra sans-ordonnance! Free Spins, free spinning');
  t.same(hits.map((h) => [h.term, h.count]).sort(), [['casino*', 1], ['free spin*', 2], ['sans ordonnance', 1]]);
  t.same(index.find('cas sans ordonnances'), [], 'no partial words for exact terms');
  t.throws(() => index.add('ab*', 'x'), /shorter than 3/);
});

t.test('words: normalising only the non-ASCII stretches gives the words of the whole-text treatment', async (t) => {
  const whole = (text: string) => text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/ß/g, 'ss').match(/[\p{L}\p{N}]+/gu) ?? [];
  const gap = 'Lorem IPSUM dolor, sit-amet. '.repeat(12);
  const texts = ['', '   ', 'ΑΣ a', "a'Σ b", 'ΟΔΟΣ.ok', 'e\u0301 \u0301x', 'İstanbul ﬁn ① ²', 'Straße\u00a0ÉTÉ', `Crème ${gap}brûlée ${gap}ΣΑΣ`, `${gap}naïve\r\n${gap}`, 'x\u200by'];
  for (const text of texts) t.same(words(text), whole(text), JSON.stringify(text.slice(0, 40)));
});

t.test('html: scripts and styles dropped, entities decoded, links with their domains', async (t) => {
  const view = await htmlToView('<style>.x{}</style><script>casino()</script><p>Caf&eacute; <a href="https://Shop.Example.COM/x">Voir&nbsp;le <b>stock</b></a></p><a href="mailto:a@b">m</a>');
  t.notMatch(view.text, /casino|\.x/);
  t.match(view.text, /Café Voir\u00a0le stock/);
  t.same(view.links.map((l) => [l.domain, l.text]), [['shop.example.com', 'Voir le stock'], ['', 'm']]);
  t.equal(linkDomain('javascript:alert(1)'), '');
});

t.test('cards: Luhn + issuer + real lengths, spaced or dashed; junk numbers ignored', async (t) => {
  t.ok(luhnValid('4111111111111111'));
  t.notOk(luhnValid('4111111111111112'));
  t.same(findCards('card 4111 1111 1111 1111 exp 08/27').map((c) => [c.scheme, c.last4, c.grouped, c.context]), [['visa', '1111', true, true]]);
  t.same(findCards('Amex 3782-822463-10005').map((c) => c.scheme), ['amex']);
  t.same(findCards('ref 4111111111111111').map((c) => [c.grouped, c.context]), [[false, false]], 'ungrouped without context is still found (scored lower)');
  t.same(findCards('order 1234 5678 9012 3456'), [], 'not Luhn-valid');
  t.same(findCards('phone 4111 11 1111 1111 11'), [], 'not a card grouping');
  t.same(findCards('tracking 9400111899223100012345'), [], 'too long');
  t.same(findCards('0000 0000 0000 0000'), [], 'repeated digits');
});

t.test('IBAN: mod-97 and country length; trailing words cut off', async (t) => {
  t.ok(ibanValid('GB82WEST12345698765432'));
  t.notOk(ibanValid('GB82WEST12345698765433'));
  t.same(findIbans('IBAN FR76 3000 6000 0112 3456 7890 189 BIC AGRIFRPP'), ['FR7630006000011234567890189']);
  t.same(findIbans('Our VAT id FR40 3030 3030 303 and code AB12 ABCD'), []);
});

t.test('zip listing and attachment signals', async (t) => {
  const zip = buildZip([{ name: 'a/readme.txt', data: Buffer.from('x') }, { name: 'a/run.js', data: Buffer.from('y') }], { encrypted: true });
  t.same(listZipEntries(zip)?.entries, [{ name: 'a/readme.txt', encrypted: true }, { name: 'a/run.js', encrypted: true }]);
  t.equal(listZipEntries(Buffer.from('not a zip at all, really not')), undefined);
  const codes = (name: string, content: Buffer = Buffer.from('%PDF-1.4')) => inspectAttachment({ filename: name, contentType: 'application/octet-stream', content }, rules.attachments).map((s) => s.code);
  t.same(codes('invoice.pdf.exe'), ['malware.executable-name', 'malware.double-extension']);
  t.same(codes('report\u202efdp.exe'), ['malware.bidi-name', 'malware.executable-name']);
  t.same(codes('invoice.pdf'), []);
  t.same(codes('invoice.pdf', Buffer.from('MZ\x90\x00', 'latin1')), ['malware.executable-content']);
  t.ok(codes('a.zip', zip).includes('malware.archive-executable'));
});

t.test('policy: tenant overrides and allow-lists merge over the defaults', async (t) => {
  const config = loadConfig({ env: {}, overrides: { filter: { tenants: { tn_1: { mode: 'monitor', checks: { sectors: { threshold: 20 } }, allow: { ibans: ['fr76 3000 6000 0112 3456 7890 189'], sectors: ['pharma'] } } } } } });
  const policy = resolvePolicy(config.filter, 'tn_1');
  t.equal(policy.mode, 'monitor');
  t.equal(policy.checks.sectors.threshold, 20);
  t.equal(policy.checks.sectors.action, 'refuse');
  t.ok(policy.allow.ibans.has('FR7630006000011234567890189'));
  t.ok(policy.allow.sectors.has('pharma'));
  t.equal(resolvePolicy(config.filter, 'tn_2').mode, 'enforce');
});

t.test('gate: a check that overruns its budget → tempfail internal.failure; monitor records and accepts', async (t) => {
  const config = loadConfig({ env: {}, overrides: {} });
  const slow = { name: 'sectors' as const, category: 'x', check: (_v: unknown, _e: unknown, _p: unknown, signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))) };
  const envelope = { tenantId: 't', mailFrom: 'a@b.test', recipients: ['c@d.test'], clientIp: '127.0.0.1' };
  const raw = Buffer.from('Subject: x\r\n\r\nhello\r\n');
  const gate = new ContentGate([slow], new PolicyResolver(config.filter), { checkTimeoutMs: 50 });
  const outcome = await gate.evaluate(raw, envelope);
  t.match(outcome.verdict, { kind: 'tempfail', reason: 'internal.failure' });
  t.match(outcome.record.results, [{ check: 'sectors', outcome: 'error' }]);
  const monitorConfig = loadConfig({ env: {}, overrides: { filter: { mode: 'monitor' } } });
  const monitored = await new ContentGate([slow], new PolicyResolver(monitorConfig.filter), { checkTimeoutMs: 50 }).evaluate(raw, envelope);
  t.match(monitored.verdict, { kind: 'accept' });
  t.match(monitored.record, { mode: 'monitor', results: [{ outcome: 'error' }] });
});
