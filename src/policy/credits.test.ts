/**
 * Pure pricing of the credit meter: recipients × the cost of the highest size band a message
 * passes (the band starts strictly above its size; band order in the config does not matter).
 */
import t from 'tap';
import { messageCost, type CreditSettings } from './credits.ts';

const settings: CreditSettings = {
  metered: true,
  costPerRecipient: 1,
  sizeBands: [{ above: 1_000_000, costPerRecipient: 5 }, { above: 100_000, costPerRecipient: 2 }],
  reservationTtlMs: 60_000,
};

t.test('message cost by size band', async (t) => {
  t.equal(messageCost(settings, 3, 500), 3);
  t.equal(messageCost(settings, 3, 100_000), 3, 'the band starts above its size');
  t.equal(messageCost(settings, 3, 100_001), 6);
  t.equal(messageCost(settings, 2, 2_000_000), 10, 'the highest band passed wins, whatever the order');
  t.equal(messageCost({ ...settings, sizeBands: [] }, 4, 10_000_000), 4);
});
