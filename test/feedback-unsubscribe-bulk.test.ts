/**
 * Ferry's one-click List-Unsubscribe on bulk-stream mail (issues 5 and 6), end to end: a
 * bulk-stream message to 3 recipients reaches the sink as 3 transactions on one session, each
 * with its own VERP path and token naming its recipient, both DKIM signatures valid, and without
 * Ferry's X-Ferry-Stream field; a one-click POST on one token unsubscribes that recipient only.
 * Split transactions keep per-recipient outcomes (550 → bounced, 450 → deferred, a 421 ends the
 * session and defers the rest). Transactional mail of a tenant on the default gets no header.
 * The content gate accepts bulk without List-Unsubscribe when Ferry will add one
 * (`bulk.unsubscribe-injected`) and refuses it when Ferry will not (`bulk.no-unsubscribe`).
 * Sink on 127.0.63.3, egress 127.0.63.11.
 */
import t from 'tap';
import { request } from 'undici';
import { verifyUnsubscribeToken } from '../src/feedback/index.ts';
import type { OutcomeRecord, ReceptionRecord, RejectionRecord } from '../src/domain/index.ts';
import type { StateStore } from '../src/state/index.ts';
import { startFeedbackRelay } from './support/feedback-relay.ts';
import { lastRecord, sendOverWire, startRelayFixture } from './support/relay-fixture.ts';
import { verifyDkim } from './support/dkim-verify.ts';


function headOf(data: Buffer): string {
  return data.subarray(0, data.indexOf('\r\n\r\n')).toString('latin1').replace(/\r\n[ \t]+/g, ' ');
}

/** Recipient → outcome record type, once every one of `recipients` has a record. */
async function outcomesOf(state: StateStore, recipients: readonly string[]): Promise<Record<string, string>> {
  const until = Date.now() + 10_000;
  for (;;) {
    const records = await state.readOutcomes({ types: ['Delivery', 'Bounce', 'TransientFailure'] });
    const byRecipient: Record<string, string> = {};
    for (const record of records as (OutcomeRecord & { recipients: readonly string[] })[]) {
      for (const recipient of record.recipients) if (recipients.includes(recipient)) byRecipient[recipient] = record.type;
    }
    if (Object.keys(byRecipient).length === recipients.length || Date.now() > until) return byRecipient;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const SCRIPTED: Record<string, { code: number; text: string }> = {
  'bad@dest.test': { code: 550, text: '5.1.1 no such user' },
  'later@dest.test': { code: 450, text: '4.2.1 try later' },
  'cut@dest.test': { code: 421, text: '4.4.2 closing' },
};

t.test('bulk stream, 3 recipients: 3 transactions, own tokens, DKIM-valid, X-Ferry-Stream stripped; per-recipient outcomes', async (t) => {
  const r = await startFeedbackRelay(t, '127.0.63.3', '127.0.63.11', (address) => SCRIPTED[address]);
  const { state } = r.fx;
  const acme = await r.tenant('acme');
  const readers = ['gina@dest.test', 'hank@dest.test', 'ivy@dest.test'];
  t.match(await r.send(acme.apiKey, 'news@acme.test', readers, 'Weekly news', { 'X-Ferry-Stream': 'bulk' }), { accepted: true });
  await r.sink.waitForMessages(3, 10_000);
  t.same(await outcomesOf(state, readers), Object.fromEntries(readers.map((reader) => [reader, 'Delivery'])));

  const sent = r.sink.messages.filter((m) => m.rcptTo.some((rcpt) => readers.includes(rcpt)));
  t.equal(sent.length, 3, 'one transaction per recipient');
  t.same(sent.map((m) => m.rcptTo.length), [1, 1, 1]);
  t.same(sent.map((m) => m.rcptTo[0]).sort(), readers);
  t.equal(new Set(sent.map((m) => m.sessionId)).size, 1, 'all on one session');
  t.equal(new Set(sent.map((m) => m.mailFrom)).size, 3, 'a VERP return path per recipient');
  const endpoints = new Map<string, string>();
  for (const message of sent) {
    const head = headOf(message.data);
    const recipient = message.rcptTo[0]!;
    t.notMatch(head, /^x-ferry-stream:/im, `X-Ferry-Stream stripped (${recipient})`);
    const url = /^List-Unsubscribe: <(http[^>]+\/u\/([^>]+))>, <mailto:[^>]+>$/m.exec(head);
    t.ok(url, `List-Unsubscribe for ${recipient}`);
    t.match(head, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    t.equal(verifyUnsubscribeToken(url![2]!, r.unsubscribeSecret)?.recipient, recipient, 'the token names this recipient');
    for (const signature of head.split('\r\n').filter((line) => /^DKIM-Signature:/i.test(line))) {
      const signed = (/;h=([^;]*)/.exec(signature.replace(/\s+/g, ''))?.[1] ?? '').toLowerCase().split(':');
      t.ok(signed.includes('list-unsubscribe') && signed.includes('list-unsubscribe-post'), 'both headers signed');
    }
    t.same(verifyDkim(message.data, acme.keys), [true, true], `rsa-sha256 and ed25519-sha256 verify (${recipient})`);
    endpoints.set(recipient, url![1]!.replace('http://127.0.0.1:1', `http://127.0.0.1:${r.feedback.ports.unsubscribe}`));
  }

  const post = await request(endpoints.get('hank@dest.test')!, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(post.statusCode, 200);
  await post.body.dump();
  t.match(await state.readOutcomes({ types: ['Unsubscribe'] }), [{ recipient: 'hank@dest.test', method: 'one-click', tenantId: acme.tenant.id }]);
  t.equal((await state.readOutcomes({ types: ['Unsubscribe'] })).length, 1, 'one Unsubscribe record');
  await r.feedback.drain();
  t.match(await state.findSuppression(acme.tenant.id, 'hank@dest.test', r.clock.now()), { reason: 'unsubscribe' });
  for (const other of ['gina@dest.test', 'ivy@dest.test']) t.equal(await state.findSuppression(acme.tenant.id, other, r.clock.now()), undefined, `${other} still subscribed`);

  const mixed = ['jo@dest.test', 'bad@dest.test', 'later@dest.test', 'kim@dest.test'];
  t.match(await r.send(acme.apiKey, 'news@acme.test', mixed, 'Weekly news', { Precedence: 'bulk' }), { accepted: true });
  t.same(await outcomesOf(state, mixed), { 'jo@dest.test': 'Delivery', 'bad@dest.test': 'Bounce', 'later@dest.test': 'TransientFailure', 'kim@dest.test': 'Delivery' }, 'outcomes per recipient');
  const broken = ['lee@dest.test', 'cut@dest.test', 'max@dest.test'];
  t.match(await r.send(acme.apiKey, 'news@acme.test', broken, 'Weekly news', { 'X-Ferry-Stream': 'marketing' }), { accepted: true });
  t.same(await outcomesOf(state, broken), { 'lee@dest.test': 'Delivery', 'cut@dest.test': 'TransientFailure', 'max@dest.test': 'TransientFailure' }, '421 ends the session: the rest deferred');
  const failures = await state.readOutcomes({ types: ['TransientFailure'] }) as (OutcomeRecord & { recipients: readonly string[]; reply?: { code: number } })[];
  t.match(failures.find((record) => record.recipients.includes('max@dest.test')), { reply: { code: 451, enhanced: '4.4.2' } }, 'never sent: deferred locally');

  t.match(await r.send(acme.apiKey, 'news@acme.test', ['ned@dest.test', 'ole@dest.test'], 'Your receipt', { 'X-Ferry-Stream': 'transactional' }), { accepted: true });
  t.same(await outcomesOf(state, ['ned@dest.test', 'ole@dest.test']), { 'ned@dest.test': 'Delivery', 'ole@dest.test': 'Delivery' });
  const receipt = r.sink.messages.filter((m) => m.rcptTo.includes('ned@dest.test'));
  t.equal(receipt.length, 1, 'one transaction for both recipients (no header to split for)');
  t.same(receipt[0]!.rcptTo, ['ned@dest.test', 'ole@dest.test']);
  const head = headOf(receipt[0]!.data);
  t.notMatch(head, /^list-unsubscribe/im, 'transactional: no List-Unsubscribe');
  t.notMatch(head, /^x-ferry-stream:/im, 'X-Ferry-Stream stripped');
  t.same(verifyDkim(receipt[0]!.data, acme.keys), [true, true]);
});



const bulkResult = (record: ReceptionRecord | RejectionRecord) => record.contentGate?.results.find((result) => result.check === 'bulk');

t.test('content gate: bulk without List-Unsubscribe passes when Ferry adds one', async (t) => {
  const relay = await startRelayFixture(t, { config: { feedback: { unsubscribe: { enabled: true, bulkDefault: true } } } });
  const shop = await relay.tenant('shop');
  t.match(await sendOverWire(relay, shop, `X-Ferry-Stream: bulk\r\nSubject: This week in the shop\r\n\r\nNew arrivals and this week's offers.\r\n`), /^250 /);
  const record = await lastRecord<ReceptionRecord>(relay, 'Reception');
  t.match(bulkResult(record), { outcome: 'pass', code: 'bulk.unsubscribe-injected', score: 0, detail: /X-Ferry-Stream: bulk/ });
});

t.test('content gate: still refused when Ferry will not add one', async (t) => {
  for (const unsubscribe of [{ enabled: true, bulkDefault: false }, { enabled: false, bulkDefault: true }]) {
    const relay = await startRelayFixture(t, { config: { feedback: { unsubscribe } } });
    const shop = await relay.tenant('shop');
    t.match(await sendOverWire(relay, shop, `Precedence: bulk\r\nSubject: This week in the shop\r\n\r\nNew arrivals and this week's offers.\r\n`), /^550 5\.7\.1 .*bulk-without-unsubscribe/, JSON.stringify(unsubscribe));
    const record = await lastRecord<RejectionRecord>(relay, 'Rejection');
    t.match(bulkResult(record), { outcome: 'refuse', code: 'bulk.no-unsubscribe' });
  }
});
