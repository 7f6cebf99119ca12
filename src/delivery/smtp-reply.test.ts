import t from 'tap';
import { parseSmtpReply, replyClass } from './smtp-reply.ts';

t.test('replies met in the wild', async (t) => {
  t.same(parseSmtpReply('250 2.0.0 OK 1700000000 x1si123'), { code: 250, enhanced: '2.0.0', text: 'OK 1700000000 x1si123' });
  t.same(parseSmtpReply('550-5.1.1 The email account does not exist.\r\n550 5.1.1 Please try again.'), { code: 550, enhanced: '5.1.1', text: 'The email account does not exist. Please try again.' });
  t.same(parseSmtpReply('421 Service not available'), { code: 421, text: 'Service not available' });
  t.equal(parseSmtpReply('garbage'), undefined);
  t.equal(replyClass({ code: 250, text: '' }), 'accepted');
  t.equal(replyClass({ code: 451, text: '' }), 'transient');
  t.equal(replyClass({ code: 554, text: '' }), 'permanent');
});
