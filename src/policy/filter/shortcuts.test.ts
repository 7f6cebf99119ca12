/**
 * The hot path's shortcuts answer what the long way answers: term lookups over the Subject's and
 * the text's words given apart (no joined copy) or past the longest exact key, card and IBAN
 * scans of the Subject and the text given apart, the IBAN pre-check on ASCII views, and the
 * ASCII fast path of the text/plain view (decoded whole, cut as a string) against the byte path.
 */
import t from 'tap';
import { loadConfig } from '../../config/index.ts';
import { plainTextView } from './plain-view.ts';
import { resolvePolicy } from './policy.ts';
import { loadFilterRules } from './rules.ts';
import { findCards, findIbans, sensitiveDataCheck } from './sensitive.ts';
import { TermIndex, words } from './terms.ts';
import { MAX_TEXT_CHARS, parsedMessageView } from './view.ts';

const ENVELOPE = { tenantId: 't', mailFrom: 'a@b.test', recipients: ['r@example.org'], clientIp: '127.0.0.1' };

t.test('TermIndex.find(first, rest) = find(first.concat(rest)), phrases across the two included', async (t) => {
  const index = new TermIndex<string>();
  for (const term of ['diagnosed with', 'casino*', 'test result*', 'your', 'schwangerschaftstest']) index.add(term, term);
  const cases: [string, string][] = [
    ['Re: diagnosed', 'with it, your test results'],
    ['casinos', 'casinoooooooooooooooooooooooooooooooo and casino'],
    ['', 'schwangerschaftstest schwangerschaftstests schwangerschaftstes'],
    ['your your', ''],
    ['test', 'resultaten test result'],
  ];
  for (const [subject, text] of cases) {
    const [first, rest] = [words(subject), words(text)];
    t.same(index.find(first, rest), index.find(first.concat(rest)), `${subject} | ${text}`);
  }
  t.same(index.find(words('diagnosed'), words('with')).map((h) => h.term), ['diagnosed with'], 'a phrase spanning both lists');
  t.same(index.find(words('casinoooooooooooooooooooooooooooo')).map((h) => h.term), ['casino*'], 'a word longer than every exact key still meets prefix terms');
});

t.test('cards and IBANs: the Subject and the text apart find what they find joined', async (t) => {
  const cases: [string, string][] = [
    ['Your card', '4111 1111 1111 1111 please'],
    ['4111 1111 1111 1111', 'the number above'],
    ['order 2026-11', '1234 5678 9012 3456 and 5555-5555-5555-4444'],
    ['IBAN', 'DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432'],
    ['pay to DE89370400440532013000', 'de89370400440532013000 again, x_DE89370400440532013000'],
    ['', ''],
  ];
  for (const [subject, text] of cases) {
    t.same(findCards(subject, text), findCards(`${subject}\n${text}`), `cards: ${subject} | ${text}`);
    t.same(findIbans(subject, text), findIbans(`${subject}\n${text}`), `IBANs: ${subject} | ${text}`);
  }
  t.same(findCards('Your card', '4111 1111 1111 1111').map((c) => c.context), [true], 'the context is read across the Subject');
});

t.test('the IBAN pre-check of ASCII views changes no finding', async (t) => {
  const check = sensitiveDataCheck(loadFilterRules('').health);
  const policy = resolvePolicy(loadConfig({ env: {}, overrides: {} }).filter, 't');
  const bodies = ['Pay to DE89 3704 0044 0532 0130 00 today.', 'Ref x_DE89370400440532013000 only.', 'Nothing here: AB12 ABCD, ab1 2cd.', 'gb82west12345698765432'];
  for (const body of bodies) {
    for (const subject of ['Invoice', 'IBAN GB82 WEST 1234 5698 7654 32']) {
      const raw = Buffer.from(`From: a@b.test\r\nSubject: ${subject}\r\n\r\n${body}\r\n`);
      const fast = plainTextView(raw, MAX_TEXT_CHARS);
      t.equal(fast?.asciiOnly, true, 'an ASCII message takes the ASCII path');
      if (!fast) continue;
      const slow = { ...fast, asciiOnly: false };
      t.same(check.check(fast, ENVELOPE, policy, new AbortController().signal), check.check(slow, ENVELOPE, policy, new AbortController().signal), `${subject} | ${body}`);
    }
  }
});

t.test('text/plain view: the ASCII string path equals the byte path and mailparser', async (t) => {
  const messages = [
    'From: a@b.test\r\nSubject: folded\r\n\tsubject line\r\nX-A: 1\r\nx-a: 2\r\nContent-Type: text/plain;\r\n charset=us-ascii\r\n\r\nBody line one\r\nline two\r\n',
    'From: a@b.test\nSubject: bare LF\n\nbody\r\n\r\nmore\r\n',
    'Subject: s\r\nX-B: a\n\nfirst blank line is bare\r\n\r\nrest\r\n',
    'Subject:   spaced   \r\nX-Empty:\r\n\r\nbody  \r\n\r\n',
  ];
  for (const text of messages) {
    const raw = Buffer.from(text);
    const whole = plainTextView(raw, MAX_TEXT_CHARS);
    // A window shorter than the message sends it down the byte path.
    const bytes = plainTextView(raw, Math.ceil(raw.length / 4) - 1);
    const parsed = await parsedMessageView(raw);
    if (!whole || !bytes) {
      t.fail(`not eligible: ${JSON.stringify(text.slice(0, 30))}`);
      continue;
    }
    t.equal(whole.asciiOnly, true);
    t.equal(bytes.asciiOnly, false);
    t.same([...whole.headers], [...bytes.headers], 'headers: string path = byte path');
    t.same([...whole.headers], [...parsed.headers], 'headers: = mailparser');
    t.ok(whole.text.startsWith(bytes.text), 'the shorter window holds the start of the text');
    t.same(whole.subjectWords, parsed.subjectWords, 'subject words');
    t.same(whole.textWords, parsed.textWords, 'text words');
  }
});
