/**
 * The simulated world against a real SMTP client (nodemailer's smtp-connection, bound to source
 * addresses 127.0.78.2 / .3) and a real DNS query: each provider rule answers with its reply and
 * only beyond its limit, per source IP; greylisting passes the retry after the delay; unknown users
 * get 550 5.1.1; the counts report it all. Receivers on 127.0.77.x, ephemeral ports (port 0).
 */
import { Resolver } from 'node:dns/promises';
import t from 'tap';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { addressFraction } from './receiver.ts';
import { parseScenario } from './scenario.ts';
import { startWorld, type RunningWorld } from './world.ts';
import { expandWorld } from './world-expand.ts';

const SCENARIO = `
name: test
messages: 10
sites:
  - name: gmail-like
    share: 1
    domains: [gmail.test]
    mx: [{ host: mx.gmail-like.test, preference: 5, address: 127.0.77.1 }]
    receiver: { ratePerIp: { perSecond: 2, burst: 0 } }
  - name: microsoft-like
    share: 1
    domains: [outlook.test]
    mx: [{ host: mx.outlook-like.test, preference: 10, address: 127.0.77.2 }]
    receiver: { connectionsPerIp: 1, tls: false }
  - name: yahoo-like
    share: 1
    domains: [yahoo.test]
    mx: [{ host: mx.yahoo-like.test, preference: 1, address: 127.0.77.3 }]
    receiver: { deferShare: 0.5, unknownUserShare: 0.5 }
  - name: small
    share: 1
    generatedDomains: { prefix: d, suffix: -small.test, count: 10 }
    smallHosting: { firstAddress: 127.0.77.10, refusedAddress: 127.0.77.99, silentAddress: 127.0.77.98,
                    greylistShare: 1, greylistMinDelay: 300ms }
`;

interface Outcome { readonly ok: boolean; readonly code?: number; readonly text: string }

async function connect(world: RunningWorld, address: string, from: string): Promise<SMTPConnection> {
  const port = world.receivers.find((r) => r.spec.address === address)?.port;
  const connection = new SMTPConnection({ host: address, port, localAddress: from, tls: { rejectUnauthorized: false }, connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 5000, logger: false } as ConstructorParameters<typeof SMTPConnection>[0]);
  await new Promise<void>((resolve, reject) => {
    connection.once('error', reject);
    connection.connect(() => resolve());
  });
  connection.on('error', () => undefined);
  return connection;
}

function send(connection: SMTPConnection, to: string): Promise<Outcome> {
  return new Promise((resolve) => {
    connection.send({ from: 'bounces+x@bounce.test', to: [to] }, 'Subject: t\r\n\r\nhello\r\n', (error, info) => {
      if (error) resolve({ ok: false, code: (error as { responseCode?: number }).responseCode, text: String((error as { response?: string }).response ?? error.message) });
      else resolve({ ok: true, text: info.response });
    });
  });
}

async function sendOnce(world: RunningWorld, address: string, from: string, to: string): Promise<Outcome> {
  const connection = await connect(world, address, from);
  try {
    return await send(connection, to);
  } finally {
    connection.close();
  }
}

t.test('world rules and counts', async (t) => {
  const world = await startWorld(expandWorld(parseScenario(SCENARIO)), { port: 0, httpPort: 0 });
  t.teardown(() => world.stop());

  t.test('DNS answers the generated zone', async (t) => {
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([world.dns.hostPort]);
    t.match(await resolver.resolveMx('gmail.test'), [{ exchange: 'mx.gmail-like.test', priority: 5 }]);
    t.same(await resolver.resolve4('mx.d01-small.test'), ['127.0.77.10']);
  });

  t.test('gmail-like: 421 4.7.28 beyond the per-IP rate, another IP unaffected', async (t) => {
    const connection = await connect(world, '127.0.77.1', '127.0.78.2');
    t.ok((await send(connection, 'a@gmail.test')).ok, 'first within the rate');
    const second = await send(connection, 'b@gmail.test');
    t.equal(second.code, 421);
    t.match(second.text, /4\.7\.28/);
    connection.close();
    t.ok((await sendOnce(world, '127.0.77.1', '127.0.78.3', 'c@gmail.test')).ok, 'the other source IP has its own rate');
  });

  t.test('microsoft-like: a second open connection from one IP gets 451 4.7.500', async (t) => {
    const first = await connect(world, '127.0.77.2', '127.0.78.2');
    await t.rejects(connect(world, '127.0.77.2', '127.0.78.2'), /4\.7\.500/);
    const other = await connect(world, '127.0.77.2', '127.0.78.3');
    other.close();
    first.close();
  });

  t.test('yahoo-like: every second transaction deferred with [TSS04]; unknown users 550 5.1.1', async (t) => {
    const unknown = Array.from({ length: 50 }, (_, i) => `u${i}@yahoo.test`).find((a) => addressFraction(a) < 0.5) as string;
    const known = Array.from({ length: 50 }, (_, i) => `k${i}@yahoo.test`).find((a) => addressFraction(a) >= 0.5) as string;
    t.ok((await sendOnce(world, '127.0.77.3', '127.0.78.2', known)).ok);
    t.match((await sendOnce(world, '127.0.77.3', '127.0.78.2', known)).text, /421 4\.7\.0 \[TSS04\]/);
    const refused = await sendOnce(world, '127.0.77.3', '127.0.78.2', unknown);
    t.equal(refused.code, 550);
    t.match(refused.text, /5\.1\.1/);
  });

  t.test('greylisting: first and early attempts 451, the retry after the delay passes (same /24)', async (t) => {
    t.match((await sendOnce(world, '127.0.77.10', '127.0.78.2', 'x@d01-small.test')).text, /451 4\.7\.1/);
    t.match((await sendOnce(world, '127.0.77.10', '127.0.78.3', 'x@d01-small.test')).text, /451 4\.7\.1/, 'too early');
    await new Promise((resolve) => setTimeout(resolve, 350));
    t.ok((await sendOnce(world, '127.0.77.10', '127.0.78.3', 'x@d01-small.test')).ok, 'retry from the same /24 passes');
  });

  t.test('counts', async (t) => {
    const { sites } = world.counters.snapshot();
    t.equal(sites['gmail-like']?.replies['421 4.7.28'], 1);
    t.equal(sites['gmail-like']?.byIp['127.0.78.2']?.transactions, 2);
    t.equal(sites['gmail-like']?.messages, 2);
    t.equal(sites['microsoft-like']?.replies['451 4.7.500'], 1);
    t.equal(sites['microsoft-like']?.byIp['127.0.78.2']?.maxOpen, 1, 'the refused connection is not counted as open');
    t.equal(sites['yahoo-like']?.replies['421 4.7.0 [TSS04]'], 1);
    t.equal(sites['yahoo-like']?.replies['550 5.1.1'], 1);
    t.same(sites['d01-small.test']?.greylist, { first: 1, early: 1, passed: 1 });
    t.equal(sites['d01-small.test']?.messages, 1);
    const http = await (await fetch(`http://127.0.0.1:${world.httpPort}/counts`)).json() as { sites: Record<string, unknown> };
    t.ok(http.sites['gmail-like'], 'served over HTTP');
  });
});

t.test('bad scenarios are refused naming the key', async (t) => {
  t.throws(() => parseScenario(SCENARIO.replace('ratePerIp:', 'ratePerIP:')), /unknown key ratePerIP/);
  t.throws(() => parseScenario(SCENARIO.replace('deferShare: 0.5', 'deferShare: 5')), /deferShare: must be a share/);
});
