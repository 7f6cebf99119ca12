import t from 'tap';
import { findLineEndingProblem } from './line-endings.ts';

const check = (text: string) => findLineEndingProblem(Buffer.from(text, 'latin1'));

t.test('clean CRLF messages pass, including an unstuffed lone dot line', async (t) => {
  t.equal(check('Subject: x\r\n\r\nhello\r\n'), undefined);
  t.equal(check('Subject: x\r\n\r\nline\r\n.\r\nafter a dot line\r\n'), undefined);
  t.equal(check('Subject: x\r\n\r\n.leading dot\r\n'), undefined);
  t.equal(check(''), undefined);
});

t.test('bare LF and bare CR are refused', async (t) => {
  t.equal(check('Subject: x\n\r\nbody\r\n'), 'bare-line-ending');
  t.equal(check('Subject: x\r\n\r\nbo\rdy\r\n'), 'bare-line-ending');
  t.equal(check('\nstart'), 'bare-line-ending');
  t.equal(check('end\r'), 'bare-line-ending');
});

t.test('every smuggling variant is recognised', async (t) => {
  const variants = ['\n.\r\n', '\r.\n', '\n.\n', '\r.\r\n', '\r\n.\n', '\r\n.\r', '\n.\r', '\r.\r'];
  for (const variant of variants) {
    t.equal(check(`Subject: x\r\n\r\nbody${variant}MAIL FROM:<a@b>\r\n`), 'smuggling', JSON.stringify(variant));
  }
  t.equal(check('.\nRCPT TO:<x@y>\r\n'), 'smuggling', 'a lone dot at the very start with a bare LF');
});
