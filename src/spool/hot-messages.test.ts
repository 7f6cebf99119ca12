/**
 * The hot window on its own: the byte budget drops the oldest first, a message larger than an
 * eighth of the budget is never held, delete and clear keep the byte count right.
 */
import t from 'tap';
import type { AcceptedMessage } from '../domain/index.ts';
import { HotMessages } from './hot-messages.ts';

const message = (id: string, size: number): AcceptedMessage => ({
  id, tenantId: 'tn_a', envelope: { mailFrom: 'a@x.test', rcptTo: ['b@y.test'] }, fromDomain: 'x.test', receivedAt: 1, clientIp: '127.0.0.1', size, body: Buffer.alloc(size),
});

t.test('the budget drops the oldest first; big messages are not held', async (t) => {
  const hot = new HotMessages(800);
  hot.add(message('m1', 100));
  hot.add(message('m2', 100));
  hot.add(message('m3', 101));
  t.equal(hot.get('m3'), undefined, 'over an eighth of the budget: not held');
  for (let i = 3; i <= 9; i++) hot.add(message(`m${i}`, 100));
  t.equal(hot.bytes, 800);
  t.same(['m1', 'm2', 'm3', 'm9'].map((id) => hot.get(id)?.id), [undefined, 'm2', 'm3', 'm9'], 'm1 dropped for m9');
  hot.delete('m2');
  hot.delete('m2');
  t.equal(hot.bytes, 700, 'a second delete changes nothing');
  hot.clear();
  t.equal(hot.bytes, 0);
  t.equal(hot.get('m9'), undefined);
});

t.test('a budget of 0 holds nothing (a process that never delivers)', async (t) => {
  const hot = new HotMessages(0);
  hot.add(message('m1', 1));
  t.equal(hot.get('m1'), undefined);
  t.equal(hot.bytes, 0);
});
