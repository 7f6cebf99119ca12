/**
 * The spam check against a REAL rspamd (Debian package) started by this test: GTUBE is refused
 * 550 5.7.1 (category spam) with nothing queued, a normal message is queued, and once rspamd is
 * stopped the relay answers 451 4.3.0 (scanner down → tempfail, never a silent pass).
 * Skipped, saying so, when /usr/bin/rspamd is missing (apt-get install -y rspamd).
 */
import t from 'tap';
import type { RejectionRecord } from '../src/domain/index.ts';
import { scanWithRspamd } from '../src/policy/filter/index.ts';
import { startRelayFixture, SmtpWire, type RelayFixture, type TestTenant } from './support/relay-fixture.ts';
import { rspamdAvailable, startRspamd } from './support/rspamd.ts';

const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';

function message(domain: string, subject: string, body: string): string {
  const date = new Date().toUTCString().replace('GMT', '+0000');
  return `From: Shop <news@${domain}>\r\nTo: reader@example.org\r\nSubject: ${subject}\r\nDate: ${date}\r\nMessage-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@${domain}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
}

async function send(relay: RelayFixture, tenant: TestTenant, content: string): Promise<string> {
  const { wire } = await SmtpWire.open({ port: relay.ports.submission, timeoutMs: 20_000 });
  try {
    await wire.command('EHLO client.test');
    await wire.startTls();
    await wire.command('EHLO client.test');
    await wire.authPlain('apikey', tenant.apiKey);
    for (const line of [`MAIL FROM:<news@${tenant.domain}>`, 'RCPT TO:<reader@example.org>', 'DATA']) await wire.command(line);
    wire.write(`${content}.\r\n`);
    return (await wire.read()).line;
  } finally {
    wire.close();
  }
}

if (!rspamdAvailable()) {
  t.plan(0, 'rspamd is not installed (apt-get install -y rspamd)');
} else {
  const rspamd = await startRspamd();
  t.teardown(() => rspamd.stop());

  t.test('rspamd answers: GTUBE → reject, a normal message → not reject', async (t) => {
    const envelope = { tenantId: 't', mailFrom: 'news@shop.test', recipients: ['reader@example.org'], clientIp: '127.0.0.1' };
    const gtube = await scanWithRspamd(rspamd.url, Buffer.from(message('shop.test', 'test', GTUBE)), envelope, AbortSignal.timeout(15_000));
    t.equal(gtube.action, 'reject');
    t.ok(gtube.symbols.some((s) => s.name === 'GTUBE'), 'the GTUBE symbol fired');
    const normal = await scanWithRspamd(rspamd.url, Buffer.from(message('shop.test', 'Your order has shipped', 'Your order 1042 ships on Thursday. Thank you!')), envelope, AbortSignal.timeout(15_000));
    t.not(normal.action, 'reject');
    t.not(normal.action, 'soft reject');
  });

  t.test('through the relay: GTUBE refused, normal queued, rspamd stopped → 451 4.3.0', async (t) => {
    const relay = await startRelayFixture(t, { config: { filter: { checks: { spam: { enabled: true, url: rspamd.url, timeout: '15s' } } } } });
    const shop = await relay.tenant('shop');
    const gtube = await send(relay, shop, message(shop.domain, 'test', GTUBE));
    t.match(gtube, /^550 5\.7\.1 Message refused by content policy: spam \(support reference CG-/);
    t.equal((await relay.spool.stats()).messages, 0, 'GTUBE not queued');
    t.match(await send(relay, shop, message(shop.domain, 'Your order has shipped', 'Your order 1042 ships on Thursday. Thank you!')), /^250 2\.0\.0 queued as /);
    t.equal((await relay.spool.stats()).messages, 1);

    await rspamd.stop();
    t.equal(await send(relay, shop, message(shop.domain, 'Your invoice', 'Invoice 77 is attached to your account.')), '451 4.3.0 Internal error, message not accepted, try again later');
    t.equal((await relay.spool.stats()).messages, 1, 'nothing more queued');
    for (let i = 0; i < 100; i++) {
      const records = (await relay.state.readOutcomes({ types: ['Rejection'] })) as RejectionRecord[];
      const last = records.at(-1);
      if (last?.reason === 'internal.failure') {
        t.match(last.contentGate?.results.at(-1), { check: 'spam', outcome: 'error' });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    t.fail('no internal.failure Rejection record');
  });
}
