/**
 * The message bytes on the wire when delivery batches its writes (src/delivery/connection.ts
 * batchMessageWrites: the socket is corked while nodemailer pipes a message into it): a 600 KB
 * message (more than the socket buffer, so the pipe waits for 'drain'), one with lines that
 * start with dots, and a small one all reach a real sink byte for byte, in that order, over ONE
 * session — so the cork never outlives a message and the session keeps working after each.
 */
import t from 'tap';
import type { AcceptedMessage } from '../src/domain/index.ts';
import { newMessageId } from '../src/domain/index.ts';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startHarness } from './support/delivery-harness.ts';

const egress = { ips: [{ address: '127.0.37.10', helo: 'out.ferry.test' }], pools: { shared: ['127.0.37.10'] } };

function body(subject: string, lines: readonly string[]): Buffer {
  const head = ['From: <a@acme.test>', 'To: <b@sink.test>', `Subject: ${subject}`, 'Message-ID: <m@ferry.test>', ''];
  return Buffer.from([...head, ...lines, ''].join('\r\n'));
}

t.test('large, dotted and small messages arrive intact over one corked-write session', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.37.2' });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    config: { egress, delivery: { routes: { 'sink.test': `${sink.host}:${sink.port}` }, limits: { maxConnections: 1, maxMessagesPerConnection: 100 } } },
  });
  const tenant = await h.tenant('acme');
  const big = Array.from({ length: 8000 }, (_, i) => `line ${i} ${'x'.repeat(64)}`);
  const bodies = [
    body('large', big),
    body('dots', ['.', '..leading dots', '.', 'after a lone dot', '. space']),
    body('small', ['hello']),
  ];
  t.ok((bodies[0]?.length ?? 0) > 500_000, 'the large message is larger than a socket buffer');
  const sent: AcceptedMessage[] = [];
  for (const raw of bodies) {
    const receivedAt = h.clock.now();
    const message: AcceptedMessage = {
      id: newMessageId(receivedAt), tenantId: tenant.id, envelope: { mailFrom: 'a@acme.test', rcptTo: ['b@sink.test'] },
      fromDomain: 'acme.test', receivedAt, clientIp: '127.0.0.1', size: raw.length, body: raw,
    };
    await h.spool.accept(message, receivedAt + 3_600_000);
    sent.push(message);
  }
  h.engine.nudge();
  await sink.waitForMessages(3, 20_000);
  const records = await h.records(['Delivery'], 3, 10_000);
  t.equal(records.length, 3, 'three Delivery records');
  t.equal(new Set(sink.messages.map((m) => m.sessionId)).size, 1, 'all three over one session');
  for (const raw of bodies) {
    const subject = /Subject: (\w+)/.exec(raw.toString('latin1'))?.[1] ?? '';
    const got = sink.messages.find((m) => m.data.includes(`Subject: ${subject}\r\n`));
    t.ok(got, `${subject}: delivered`);
    // Ferry may add header fields on top (Received-like, X-Ferry-*, signatures): the original bytes end the data.
    t.ok(got && got.data.subarray(got.data.length - raw.length).equals(raw), `${subject}: the message's bytes, unstuffed, byte for byte`);
  }
});
