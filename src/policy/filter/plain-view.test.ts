/**
 * The text/plain fast path gives the checks what mailparser gives them (subject, words, link
 * domains, headers) for eligible messages, and declines everything that needs a decoder.
 */
import t from 'tap';
import { plainTextView } from './plain-view.ts';
import { MAX_TEXT_CHARS, parsedMessageView } from './view.ts';

const eligible = [
  'From: a@shop.test\r\nTo: b@example.org\r\nSubject: Your order has shipped\r\n\r\nYour order 1042 has shipped.\r\nTrack it at https://track.shop.test/1042?x=1 today.\r\n',
  'From: a@shop.test\r\nSubject: Facture pharmacie\r\n a folded subject\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit\r\nMIME-Version: 1.0\r\n\r\nVotre facture n° 77 — 12,50 € (pharmacie du centre).\r\nMerci, à bientôt.\r\n',
  'From: a@shop.test\nSubject: bare LF headers\nContent-Type: text/plain; format=flowed\n\nLine one \nline two http://example.org/page.\n',
  'From: a@shop.test\r\nSubject: card\r\nX-Ferry-Sender: app-7\r\nList-Unsubscribe: <https://u.test/x>\r\n\r\nMy card: 4111 1111 1111 1111, expiry 08/27.\r\n',
];

const declined = [
  'Subject: =?utf-8?B?w6ljb2xl?=\r\n\r\nbody\r\n',
  'Subject: qp\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nfa=C3=A7ade\r\n',
  'Subject: latin\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nbody\r\n',
  'Subject: html\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n',
  'Subject: multi\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n',
  'Subject: b64\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n',
  'Subject: flowed\r\nContent-Type: text/plain; format=flowed; delsp=yes\r\n\r\nhi\r\n',
  'Subject: no body separator',
];

t.test('eligible messages: the same view as mailparser for the checks', async (t) => {
  for (const text of eligible) {
    const raw = Buffer.from(text);
    const fast = plainTextView(raw, MAX_TEXT_CHARS);
    const parsed = await parsedMessageView(raw);
    if (!fast) {
      t.fail(`not eligible: ${text.slice(0, 40)}`);
      continue;
    }
    t.equal(fast.subject, parsed.subject, 'subject');
    t.same(fast.subjectWords, parsed.subjectWords, 'subject words');
    t.same(fast.textWords, parsed.textWords, 'text words');
    t.same(fast.links.map((l) => l.domain), parsed.links.map((l) => l.domain), 'link domains');
    t.same([...fast.headers], [...parsed.headers], 'headers');
    t.equal(fast.attachments.length, 0);
  }
});

t.test('anything needing a decoder is declined', async (t) => {
  for (const text of declined) t.equal(plainTextView(Buffer.from(text), MAX_TEXT_CHARS), undefined, text.split('\r\n')[0] ?? '');
});

t.test('the ASCII shortcut of normalizeText equals the Unicode path', async (t) => {
  const { normalizeText } = await import('./terms.ts');
  const unicodePath = (text: string) => text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/ß/g, 'ss').replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  for (const text of ['Free SPINS!!! at casino-online.test, 100% bonus_now', '  a\tb\r\nc  ', 'Order #1042: $12.50 (x2) -- thanks', '']) {
    t.equal(normalizeText(text), unicodePath(text), JSON.stringify(text));
  }
});
