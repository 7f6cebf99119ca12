/**
 * Child process for test/spool-crash.test.ts: floods the spool with accepts from many concurrent
 * writers until killed (or a bound is reached). Prints `+id` when an accept starts and `id` only
 * after that accept resolved (durable), one line each, so the parent knows exactly what was acked.
 * Usage: node test/support/spool-writer.ts <dataDir> <concurrency> <maxMessages>
 */
import { openLocalDatabase } from '../../src/platform/localdb.ts';
import { openSpool } from '../../src/spool/index.ts';
import { newMessageId, type AcceptedMessage } from '../../src/domain/index.ts';

const [dataDir, concurrencyArg = '50', maxArg = '100000'] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: spool-writer.ts <dataDir> <concurrency> <maxMessages>');
const concurrency = Number(concurrencyArg);
const maxMessages = Number(maxArg);
const spool = openSpool(openLocalDatabase(dataDir));
const body = Buffer.alloc(5 * 1024, 'x');
let started = 0;

function nextMessage(): AcceptedMessage {
  const receivedAt = Date.now();
  return {
    id: newMessageId(receivedAt),
    tenantId: 'tn_crash',
    envelope: { mailFrom: 'load@sender.test', rcptTo: [`r${started}@a.test`, `r${started}@b.test`] },
    fromDomain: 'sender.test',
    receivedAt,
    clientIp: '127.0.0.1',
    size: body.length,
    body,
  };
}

async function writer(): Promise<void> {
  while (started < maxMessages) {
    started++;
    const message = nextMessage();
    process.stdout.write(`+${message.id}\n`);
    await spool.accept(message, message.receivedAt + 86_400_000);
    process.stdout.write(`${message.id}\n`);
  }
}

await Promise.all(Array.from({ length: concurrency }, () => writer()));
await spool.close();
