/**
 * Crash safety of the whole relay, as operators run it (`ferry serve` in a child process):
 * SIGKILL in the middle of an authenticated load, restart, and check that every message that
 * got `250 … queued as <id>` survived — in the spool (delivery off), and end to end at a real
 * SMTP sink (delivery on): lost must be 0; duplicates are counted and reported.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { openLocalDatabase } from '../src/platform/index.ts';
import { openSpool } from '../src/spool/index.ts';
import { startRelayProcess, runCli, type RelayProcess } from './support/relay-process.ts';
import { startSmtpSink } from './support/smtp-sink.ts';

interface Acked {
  readonly ferryId: string;
  readonly clientMessageId: string;
}

async function provisionTenant(dataDir: string): Promise<string> {
  await runCli(dataDir, ['tenant', 'add', 'crashco']);
  await runCli(dataDir, ['domain', 'add', 'crashco', 'crash.test']);
  const out = await runCli(dataDir, ['--json', 'key', 'add', 'crashco']);
  return (JSON.parse(out) as { key: string }).key;
}

/** Sends `total` messages over 20 pooled STARTTLS+AUTH connections; SIGKILLs the relay after `killAfter` acks. */
async function loadAndKill(relay: RelayProcess, apiKey: string, total: number, killAfter: number): Promise<Acked[]> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1', port: relay.ports.submission, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
    auth: { user: 'crashco', pass: apiKey }, pool: true, maxConnections: 20, maxMessages: Infinity,
  });
  const acked: Acked[] = [];
  let killed = false;
  const sends = Array.from({ length: total }, (_, i) =>
    transport
      .sendMail({ from: 'app@crash.test', to: `user${i}@dest.test`, subject: `crash ${i}`, text: 'x'.repeat(1000) })
      .then((info) => {
        const ferryId = /queued as (\S+)/.exec(info.response)?.[1];
        if (!ferryId) throw new Error(`unexpected reply ${info.response}`);
        acked.push({ ferryId, clientMessageId: info.messageId });
        if (!killed && acked.length >= killAfter) {
          killed = true;
          relay.child.kill('SIGKILL');
        }
      }),
  );
  const results = await Promise.allSettled(sends);
  transport.close();
  await relay.exited;
  t.ok(killed, `relay was killed mid-load (${acked.length} acked, ${results.filter((r) => r.status === 'rejected').length} failed)`);
  return acked;
}

t.test('SIGKILL under load: every acknowledged message is in the spool after restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const apiKey = await provisionTenant(dataDir);
  const env = { FERRY_DELIVERY_ENABLED: 'false' };
  const acked = await loadAndKill(await startRelayProcess(dataDir, env), apiKey, 2600, 2000);
  t.ok(acked.length >= 2000, `${acked.length} messages acknowledged before the kill`);

  const restarted = await startRelayProcess(dataDir, env);
  t.equal(await restarted.kill('SIGTERM'), 0, 'restarted relay serves and stops cleanly');

  const db = openLocalDatabase(dataDir);
  const spool = openSpool(db);
  const missing: string[] = [];
  for (const { ferryId } of acked) if (!(await spool.getMessage(ferryId))) missing.push(ferryId);
  t.same(missing, [], 'no acknowledged message is missing');
  t.ok((await spool.stats()).messages >= acked.length, 'spool holds at least every acknowledged message');
  await spool.close();
  await db.close();
});

t.test('SIGKILL under load end to end: every acknowledged message reaches the sink', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-crash-e2e-'));
  const sink = await startSmtpSink({ host: '127.0.0.1', starttls: false });
  t.teardown(async () => {
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const apiKey = await provisionTenant(dataDir);
  const env = { FERRY_DELIVERY_ROUTES: JSON.stringify({ '*': `127.0.0.1:${sink.port}` }), FERRY_DELIVERY_RETRY_SCHEDULE: '1s*20' };
  const acked = await loadAndKill(await startRelayProcess(dataDir, env), apiKey, 5600, 5000);
  t.ok(acked.length >= 5000, `${acked.length} messages acknowledged before the kill`);

  const restarted = await startRelayProcess(dataDir, env);
  t.teardown(() => restarted.kill('SIGTERM'));
  const wanted = new Set(acked.map((a) => a.clientMessageId));
  const arrivals = () => {
    const counts = new Map<string, number>();
    for (const message of sink.messages) {
      const id = /^Message-ID:\s*(<[^>]+>)/im.exec(message.data.toString('latin1'))?.[1];
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };
  // wait while the sink keeps receiving; give up after 30 s without progress
  let lastCount = -1;
  let lastProgress = Date.now();
  const allArrived = () => {
    const seen = arrivals();
    return [...wanted].every((id) => seen.has(id));
  };
  while (Date.now() - lastProgress < 30_000 && !allArrived()) {
    await new Promise((r) => setTimeout(r, 500));
    if (sink.messages.length !== lastCount) [lastCount, lastProgress] = [sink.messages.length, Date.now()];
  }
  const counts = arrivals();
  const lost = [...wanted].filter((id) => !counts.has(id));
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  t.equal(lost.length, 0, `lost: ${lost.length} of ${wanted.size} acknowledged`);
  t.comment(`end-to-end crash: acknowledged ${wanted.size}, delivered ${counts.size} distinct, duplicates ${duplicates}`);
});
