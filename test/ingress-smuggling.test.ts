/**
 * SMTP smuggling and bare line endings, on the wire with raw sockets. smtp-server ends DATA only
 * on <CRLF>.<CRLF>, so `\n.\r\n` and friends stay inside the payload; the ingress must refuse that
 * payload (554 5.6.0) so that no receiver downstream can read a second message out of it. Each
 * variant is sent in one write and byte-split across TCP segments; the smuggled transaction (a
 * valid sender of the same tenant) must never be queued, and no extra reply may appear.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startRelayFixture, SmtpWire } from './support/relay-fixture.ts';
import type { OutcomeRecord } from '../src/domain/index.ts';

const relay = await startRelayFixture(t);
const acme = await relay.tenant('acme');

const HEAD = 'From: news@acme.test\r\nTo: x@example.org\r\nSubject: first\r\n\r\nfirst body';
const SMUGGLED = 'MAIL FROM:<evil@acme.test>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\nFrom: evil@acme.test\r\nSubject: smuggled\r\n\r\nsmuggled\r\n';
const VARIANTS = ['\n.\r\n', '\r.\n', '\n.\n', '\r.\r\n', '\r\n.\n', '\r\n.\r', '\n.\r', '\r.\r'];

async function openTransaction(): Promise<SmtpWire> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission });
  await wire.command('EHLO client.test');
  await wire.startTls();
  await wire.command('EHLO client.test');
  const auth = await wire.authPlain('apikey', acme.apiKey);
  if (auth.code !== 235) throw new Error(auth.line);
  await wire.command('MAIL FROM:<news@acme.test>');
  await wire.command('RCPT TO:<x@example.org>');
  const data = await wire.command('DATA');
  if (data.code !== 354) throw new Error(data.line);
  return wire;
}

async function send(wire: SmtpWire, payload: string, split: boolean): Promise<void> {
  if (!split) return wire.write(payload);
  for (const byte of payload) {
    wire.write(byte);
    await sleep(1);
  }
}

async function queuedCount(): Promise<number> {
  return (await relay.spool.stats()).messages;
}

for (const split of [false, true]) {
  for (const variant of VARIANTS) {
    t.test(`${JSON.stringify(variant)} ${split ? 'byte by byte' : 'in one write'} → 554 5.6.0, nothing queued`, async (t) => {
      const before = await queuedCount();
      const wire = await openTransaction();
      const payload = `${HEAD}${variant}${SMUGGLED}.\r\n`;
      await send(wire, payload, split);
      const reply = await wire.read();
      t.match(reply.line, /^554 5\.6\.0 Malformed end-of-data sequence \(SMTP smuggling\)/);
      await sleep(50);
      t.equal(wire.pendingReplies, 0, 'no reply to a smuggled command');
      t.equal((await wire.command('QUIT')).code, 221, 'the next reply answers our QUIT');
      wire.close();
      t.equal(await queuedCount(), before, 'nothing queued, not even the smuggled message');
    });
  }
}

t.test('bare LF in headers and bare CR in the body → 554 5.6.0', async (t) => {
  for (const payload of ['From: news@acme.test\nSubject: x\r\n\r\nbody\r\n.\r\n', 'From: news@acme.test\r\n\r\nbo\rdy\r\n.\r\n']) {
    const wire = await openTransaction();
    wire.write(payload);
    t.match((await wire.read()).line, /^554 5\.6\.0 Bare CR or LF/);
    wire.close();
  }
  // records are written after the reply (batched per event-loop turn): wait for them, bounded
  const has = (records: OutcomeRecord[], reason: string) => records.some((r) => r.type === 'Rejection' && r.reason === reason);
  let records = await relay.state.readOutcomes({ types: ['Rejection'] });
  for (let waited = 0; waited < 5000 && !(has(records, 'message.smuggling') && has(records, 'message.bare-line-ending')); waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    records = await relay.state.readOutcomes({ types: ['Rejection'] });
  }
  t.ok(has(records, 'message.smuggling'));
  t.ok(has(records, 'message.bare-line-ending'));
});

t.test('legitimate dot-stuffing is not mistaken for smuggling (a lone dot line, a leading dot)', async (t) => {
  const before = await queuedCount();
  const wire = await openTransaction();
  await send(wire, 'From: news@acme.test\r\nSubject: dots\r\n\r\n..\r\n..leading\r\nend\r\n.\r\n', true);
  const reply = await wire.read();
  t.match(reply.line, /^250 2\.0\.0 queued as /);
  const body = (await relay.spool.getMessage(reply.line.split(' ').at(-1) ?? ''))?.body.toString() ?? '';
  t.match(body, /\r\n\r\n\.\r\n\.leading\r\nend\r\n$/, 'unstuffed once');
  t.equal(await queuedCount(), before + 1);
  wire.close();
});
