/**
 * Unit tests of the bench load source's SMTP reply parser: single and multi-line replies, replies
 * split across chunks at any byte, several replies in one chunk (pipelining), bare LF, garbage.
 */
import t from 'tap';
import { parseEhloKeywords, ReplyParser, replyText } from './reply-parser.ts';

t.test('single-line replies, several per chunk (pipelined answers)', async (t) => {
  const p = new ReplyParser();
  const replies = p.push(Buffer.from('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n'));
  t.same(replies.map((r) => r.code), [250, 250, 354]);
  t.same(replies[2]?.lines, ['End data with <CR><LF>.<CR><LF>']);
  t.equal(p.midReply, false);
});

t.test('multi-line EHLO reply is one reply; keywords upper-cased', async (t) => {
  const p = new ReplyParser();
  const [ehlo, ...rest] = p.push('250-relay.test Hello\r\n250-PIPELINING\r\n250-size 1000\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n');
  t.equal(rest.length, 0);
  t.equal(ehlo?.code, 250);
  t.equal(ehlo?.lines.length, 5);
  t.same([...parseEhloKeywords(ehlo!)].sort(), ['AUTH', 'PIPELINING', 'SIZE', 'STARTTLS']);
});

t.test('a reply split at every possible byte boundary parses the same', async (t) => {
  const wire = '220-greeting one\r\n220 ESMTP ready\r\n250 2.0.0 queued as abc\r\n';
  for (let cut = 0; cut <= wire.length; cut++) {
    const p = new ReplyParser();
    const replies = [...p.push(wire.slice(0, cut)), ...p.push(wire.slice(cut))];
    t.same(replies.map((r) => `${r.code}:${r.lines.join('|')}`), ['220:greeting one|ESMTP ready', '250:2.0.0 queued as abc'], `cut at ${cut}`);
  }
});

t.test('partial line is held until its newline; bare LF accepted; bare code line', async (t) => {
  const p = new ReplyParser();
  t.same(p.push('250 par'), []);
  t.equal(p.midReply, true);
  t.same(p.push('tial\n221\r\n').map((r) => [r.code, r.lines[0]]), [[250, 'partial'], [221, '']]);
  t.equal(p.midReply, false);
});

t.test('a line that is not a reply yields code 0 and resets a pending multi-line reply', async (t) => {
  const p = new ReplyParser();
  const replies = p.push('250-first\r\nHTTP/1.1 400 Bad\r\n250 ok\r\n');
  t.same(replies.map((r) => r.code), [0, 250]);
  t.same(replies[1]?.lines, ['ok']);
  t.equal(replyText(replies[1]!), '250 ok');
});
