/**
 * AUTH brute force from one client address (127.0.0.66): 30 bad AUTHs across reconnects. With
 * the defaults (10 failures per IP, drop at 20) the first 10 get 535 5.7.8, then 454 4.7.0
 * without the key being looked at, the 20th gets 421 4.7.0 and the connection is closed, and
 * every later attempt — even with the right key — is refused until the window (3s here) passes.
 * Another client address is not affected.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { startRelayFixture, SmtpWire } from './support/relay-fixture.ts';

const WINDOW_MS = 3000;
const relay = await startRelayFixture(t, { config: { ingress: { limits: { authFailureWindow: `${WINDOW_MS}ms` } } } });
const acme = await relay.tenant('acme');

async function tlsSession(localAddress: string): Promise<SmtpWire> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission, localAddress });
  await wire.command('EHLO client.test');
  await wire.startTls();
  await wire.command('EHLO client.test');
  return wire;
}

t.test('30 bad AUTHs from one address are throttled, then dropped', async (t) => {
  const replies: string[] = [];
  let connections = 0;
  while (replies.length < 30 && connections < 20) {
    connections++;
    const wire = await tlsSession('127.0.0.66');
    while (replies.length < 30 && !wire.closed) {
      const reply = await wire.authPlain('apikey', `fy_guess${replies.length}`).catch(() => undefined);
      if (!reply) break;
      replies.push(reply.line);
      if (reply.code === 421) await sleep(20);
    }
    wire.close();
  }
  t.equal(replies.length, 30);
  t.ok(replies.slice(0, 10).every((line) => line.startsWith('535 5.7.8 ')), 'the first 10: 535 5.7.8');
  t.ok(replies.slice(10, 19).every((line) => line.startsWith('454 4.7.0 ')), 'failures 11–19: 454 4.7.0, credentials not even checked');
  t.match(replies[19], /^421 4\.7\.0 Too many authentication failures/, 'the 20th: 421 and the connection is closed');
  t.ok(replies.slice(20).every((line) => line.startsWith('421 4.7.0 ')), 'every later attempt: 421 at once');
  t.ok(connections >= 11, `the client had to reconnect (${connections} connections)`);

  const right = await tlsSession('127.0.0.66');
  t.match((await right.authPlain('apikey', acme.apiKey)).line, /^421 4\.7\.0 /, 'even the right key is refused while throttled');
  right.close();

  const neighbour = await tlsSession('127.0.0.67');
  t.equal((await neighbour.authPlain('apikey', acme.apiKey)).code, 235, 'another address is not throttled');
  neighbour.close();

  await sleep(WINDOW_MS + 300);
  const later = await tlsSession('127.0.0.66');
  t.equal((await later.authPlain('apikey', acme.apiKey)).code, 235, 'the window has passed: the right key works again');
  later.close();
});
