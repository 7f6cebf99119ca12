/**
 * One-click unsubscribe end to end (RFC 8058, issue 6): a bulk-stream message delivered to a sink carries
 * List-Unsubscribe (https + mailto) and List-Unsubscribe-Post, both inside the DKIM h= list, and
 * both signatures verify with an independent verifier (Debian's python3-dkim). A GET shows the
 * confirmation page and changes nothing; a real HTTP POST with `List-Unsubscribe=One-Click`
 * unsubscribes; the next message is refused at RCPT (… unsubscribed); sending never lifts it, only
 * an operator removal with a note. The mailto variant goes through the inbound listener.
 * Sink on 127.0.63.2, egress 127.0.63.10.
 */
import t from 'tap';
import { request } from 'undici';
import { startFeedbackRelay } from './support/feedback-relay.ts';
import type { StateStore } from '../src/state/index.ts';
import { verifyDkim } from './support/dkim-verify.ts';


/** Bulk-stream mail: Ferry adds its header by default (`feedback.unsubscribe.bulkDefault`). */
const BULK = { 'X-Ferry-Stream': 'bulk' };

async function waitForDeliveries(state: StateStore, count: number): Promise<void> {
  const until = Date.now() + 10_000;
  while ((await state.readOutcomes({ types: ['Delivery'] })).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

t.test('one-click unsubscribe with a real POST; the header is DKIM-signed; mailto via the inbound listener', async (t) => {
  const r = await startFeedbackRelay(t, '127.0.63.2', '127.0.63.10');
  const { state } = r.fx;
  const acme = await r.tenant('acme');
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'gina@dest.test', 'News', BULK), { accepted: true });
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'hank@dest.test', 'News', BULK), { accepted: true });
  await r.sink.waitForMessages(2, 10_000);
  await waitForDeliveries(state, 2);
  const data = r.sink.messages.find((m) => m.rcptTo.includes('gina@dest.test'))!.data;
  const head = data.subarray(0, data.indexOf('\r\n\r\n')).toString('latin1');
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const url = /^List-Unsubscribe: <(http[^>]+)>, <mailto:([^>]+)>$/m.exec(unfolded);
  t.ok(url, 'List-Unsubscribe with an http(s) URL and a mailto');
  t.match(unfolded, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  const signatures = unfolded.split('\r\n').filter((line) => /^DKIM-Signature:/i.test(line));
  t.equal(signatures.length, 2);
  for (const signature of signatures) {
    const signed = (/;h=([^;]*)/.exec(signature.replace(/\s+/g, ''))?.[1] ?? '').toLowerCase().split(':');
    t.ok(signed.includes('list-unsubscribe') && signed.includes('list-unsubscribe-post'), `both headers in h= (${signed.join(':')})`);
  }
  t.same(verifyDkim(data, acme.keys), [true, true], 'rsa-sha256 and ed25519-sha256 verify');

  const endpoint = url![1]!.replace('http://127.0.0.1:1', `http://127.0.0.1:${r.feedback.ports.unsubscribe}`);
  const page = await request(endpoint, { method: 'GET' });
  t.equal(page.statusCode, 200);
  t.match(await page.body.text(), /<form method="post">/, 'GET shows a confirmation form');
  const forged = await request(endpoint.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(forged.statusCode, 404, 'altered token refused');
  await forged.body.dump();
  t.same(await state.readOutcomes({ types: ['Unsubscribe'] }), [], 'GET and a forged POST change nothing');

  const post = await request(endpoint, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(post.statusCode, 200);
  await post.body.dump();
  t.match(await state.readOutcomes({ types: ['Unsubscribe'] }), [{ recipient: 'gina@dest.test', method: 'one-click', tenantId: acme.tenant.id }]);
  await r.feedback.drain();
  t.match(await state.findSuppression(acme.tenant.id, 'gina@dest.test', r.clock.now()), { reason: 'unsubscribe' });
  const refused = await r.send(acme.apiKey, 'news@acme.test', 'gina@dest.test');
  t.match(refused, { accepted: false, response: /^550 5\.7\.1 .*unsubscribed/ }, 'next message refused at RCPT');
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'gina@dest.test'), { accepted: false }, 'sending again does not lift it');

  const hank = r.sink.messages.find((m) => m.rcptTo.includes('hank@dest.test'))!.data.toString('latin1').replace(/\r\n[ \t]+/g, ' ');
  const mailto = /<mailto:([^?>]+)\?subject=([^>]+)>/.exec(hank)!;
  const reply = await r.inbound(mailto[1]!, `From: hank@dest.test\nTo: ${mailto[1]}\nSubject: ${decodeURIComponent(mailto[2]!)}\n\nunsubscribe\n`);
  t.match(reply, /^250/);
  t.equal(r.feedback.inbound?.counters.unsubscribe, 1);
  await r.feedback.drain();
  t.match(await state.findSuppression(acme.tenant.id, 'hank@dest.test', r.clock.now()), { reason: 'unsubscribe' }, 'mailto unsubscribes too');

  const refusedRemoval = await r.feedback.suppression.removeByOperator(acme.tenant.id, 'gina@dest.test', 'ops', '').then(() => 'removed', (e: Error) => e.message);
  t.match(refusedRemoval, /note/, 'removal needs a note');
  t.match(await r.feedback.suppression.removeByOperator(acme.tenant.id, 'gina@dest.test', 'ops', 'recipient asked by phone to resubscribe'), { reason: 'unsubscribe' });
  t.match(await state.readOutcomes({ types: ['AdminAction'] }), [{ action: 'suppression.remove', actor: 'ops', reason: /phone/ }]);
  t.match(await r.send(acme.apiKey, 'news@acme.test', 'gina@dest.test'), { accepted: true }, 'accepted again after the operator removal');
});
