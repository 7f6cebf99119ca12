/**
 * SIGHUP reloads the rule data files of a running relay (`ferry serve`) — content rules and IP
 * warm-up schedules: a session opened before the signal stays up, the new content rules apply to
 * the next message, a new warm-up schedule can be used at once, and an invalid file is refused
 * with the previous rules left in force.
 */
import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { runCli, startRelayProcess } from './support/relay-process.ts';

const BUNDLED_RULES = fileURLToPath(new URL('../config/filter', import.meta.url));

async function logLine(relay: Awaited<ReturnType<typeof startRelayProcess>>, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`no log line ${pattern} in ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        relay.child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    relay.child.stdout?.on('data', onData);
  });
}

t.test('SIGHUP: new rules apply to the next message, the open session stays, a bad file changes nothing', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-reload-'));
  const rulesDir = join(dataDir, 'filter-rules');
  cpSync(BUNDLED_RULES, rulesDir, { recursive: true });
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  await runCli(dataDir, ['tenant', 'add', 'reloadco']);
  await runCli(dataDir, ['domain', 'add', 'reloadco', 'reload.test']);
  const apiKey = (JSON.parse(await runCli(dataDir, ['--json', 'key', 'add', 'reloadco'])) as { key: string }).key;
  const relay = await startRelayProcess(dataDir, { FERRY_DELIVERY_ENABLED: 'false', FERRY_FILTER_RULES_DIR: rulesDir });
  t.teardown(() => relay.kill('SIGTERM'));

  // one pooled connection, kept open across the reloads
  const transport = nodemailer.createTransport({
    host: '127.0.0.1', port: relay.ports.submission, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
    auth: { user: 'reloadco', pass: apiKey }, pool: true, maxConnections: 1, maxMessages: Infinity,
  });
  t.teardown(() => transport.close());
  const send = () =>
    transport.sendMail({
      from: 'app@reload.test', to: 'someone@example.net', subject: 'report', text: 'see attached',
      attachments: [{ filename: 'report.zzq', content: 'plain bytes' }],
    }).then((info) => info.response, (error: { response?: string }) => error.response ?? String(error));

  t.match(await send(), /^250 /, '.zzq is not a risky extension yet');

  const attachments = join(rulesDir, 'attachments.yaml');
  const original = readFileSync(attachments, 'utf8');
  writeFileSync(attachments, original.replace('executable: [exe,', 'executable: [zzq, exe,'));
  const reloaded = logLine(relay, /rule data files reloaded/);
  relay.child.kill('SIGHUP');
  await reloaded;
  t.match(await send(), /^550 5\.7\.1 .*malware/i, 'after SIGHUP the same message is refused (the pooled session was not dropped by the reload)');

  writeFileSync(attachments, 'executable: [unclosed\n');
  const failed = logLine(relay, /rule reload failed/);
  relay.child.kill('SIGHUP');
  await failed;
  t.match(await send(), /^550 5\.7\.1 /, 'an invalid file changed nothing: the previous rules still refuse');
  t.equal(relay.child.exitCode, null, 'the relay is still running');
});

t.test('SIGHUP also reloads the warm-up schedules; a bad schedule file keeps the old ones', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-reload-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const schedules = join(dataDir, 'warmup.yaml');
  writeFileSync(schedules, 'schedules:\n  default:\n    days: [10, 20]\n');
  const env = { FERRY_DELIVERY_ENABLED: 'false', FERRY_EGRESS_WARMUP_SCHEDULE_FILE: schedules };
  const token = (JSON.parse(await runCli(dataDir, ['--json', 'admin', 'token', 'add', '--name', 'ops', '--scopes', 'read,ips'], env)) as { token: string }).token;
  const relay = await startRelayProcess(dataDir, env);
  t.teardown(() => relay.kill('SIGTERM'));
  const admin = (relay.ports as unknown as { admin: number }).admin;
  const warm = async (schedule: string) => (await fetch(`http://127.0.0.1:${admin}/v1/ips/127.0.0.1/warmup`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ schedule }),
  })).status;

  t.equal(await warm('gentle'), 400, 'no schedule "gentle" yet');
  writeFileSync(schedules, 'schedules:\n  default:\n    days: [10, 20]\n  gentle:\n    days: [5, 10, 20]\n');
  const reloaded = logLine(relay, /rule data files reloaded/);
  relay.child.kill('SIGHUP');
  await reloaded;
  t.equal(await warm('gentle'), 200, 'after SIGHUP the new schedule exists');

  writeFileSync(schedules, 'schedules: [unclosed\n');
  const failed = logLine(relay, /rule reload failed/);
  relay.child.kill('SIGHUP');
  await failed;
  t.equal(await warm('gentle'), 200, 'a bad file changed nothing');
});
