/**
 * Delivery by MX through real DNS: preference fallback when the first MX refuses connections,
 * null MX → Bounce, sending-IP binding and HELO, VERP return path. Sinks listen on port 25 of
 * 127.0.21.x (addresses owned by this file so test files can run in parallel).
 */
import t from 'tap';
import { startSmtpSink } from './support/smtp-sink.ts';
import { startHarness } from './support/delivery-harness.ts';
import { verifyVerpToken } from '../src/delivery/index.ts';

const egress = {
  egress: { ips: [{ address: '127.0.21.10', helo: 'out10.ferry.test' }], pools: { shared: ['127.0.21.10'] } },
  delivery: { bounceDomain: 'bounces.ferry.test' },
};

t.test('MX preference fallback: first MX refuses, second delivers from the bound IP', async (t) => {
  const sink = await startSmtpSink({ host: '127.0.21.2', port: 25 });
  t.teardown(() => sink.stop());
  const h = await startHarness(t, {
    config: egress,
    zone: {
      'example.test': { MX: [{ preference: 10, exchange: 'mx1.example.test' }, { preference: 20, exchange: 'mx2.example.test' }] },
      'mx1.example.test': { A: ['127.0.21.1'] },
      'mx2.example.test': { A: ['127.0.21.2'] },
    },
  });
  const tenant = await h.tenant('acme');
  const message = await h.send(tenant, 'news@acme.test', ['alice@example.test']);
  const [record] = await h.records(['Delivery'], 1);
  t.match(record, { type: 'Delivery', messageId: message.id, recipients: ['alice@example.test'], egressIp: '127.0.21.10', mxHost: 'mx2.example.test', attempt: 1 });
  t.equal(record?.type === 'Delivery' && record.reply?.code, 250);
  t.equal(sink.messages.length, 1);
  const received = sink.messages[0]!;
  t.equal(received.sourceAddress, '127.0.21.10', 'the sink sees the configured sending IP');
  t.equal(sink.sessions[0]?.helo, 'out10.ferry.test', 'EHLO with the IP helo');
  t.same(received.rcptTo, ['alice@example.test']);
  const match = /^bounces\+(.+)@bounces\.ferry\.test$/.exec(received.mailFrom);
  t.ok(match, `VERP return path ${received.mailFrom}`);
  t.same(verifyVerpToken(match![1]!, h.verpSecret), { messageId: message.id, recipient: 'alice@example.test' });
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'the message left the spool');
});

t.test('null MX → Bounce without a connection', async (t) => {
  const h = await startHarness(t, { config: egress, zone: { 'nomail.test': { MX: [{ preference: 0, exchange: '.' }] } } });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'news@acme.test', ['bob@nomail.test', 'carol@nomail.test']);
  const [record] = await h.records(['Bounce'], 1);
  t.match(record, { type: 'Bounce', recipients: ['bob@nomail.test', 'carol@nomail.test'], reply: { code: 550, enhanced: '5.1.10' } });
  t.ok(await h.spoolSettles((s) => s.messages === 0), 'the message left the spool');
});

t.test('DNS SERVFAIL → TransientFailure, rescheduled', async (t) => {
  const h = await startHarness(t, { config: egress, zone: { 'broken.test': { behaviour: 'servfail' } } });
  const tenant = await h.tenant('acme');
  await h.send(tenant, 'news@acme.test', ['dan@broken.test']);
  const [record] = await h.records(['TransientFailure'], 1);
  t.match(record, { type: 'TransientFailure', recipients: ['dan@broken.test'], reply: { code: 451 }, attempt: 1 });
  t.equal(record?.type === 'TransientFailure' && record.nextAttemptAt - record.at, 5 * 60_000, 'first retry after 5m');
  t.ok(await h.spoolSettles((s) => s.scheduled === 1), 'rescheduled in the spool');
});
