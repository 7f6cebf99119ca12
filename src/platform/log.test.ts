/**
 * The logger: secrets are redacted; the buffered stdout destination loses no line when the
 * process exits right after logging (pino flushes on exit), and a lone line on a quiet process
 * is written within the flush interval, not held until the buffer fills.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { createLogger } from './log.ts';

const run = promisify(execFile);

t.test('passwords, API keys and private keys are redacted', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } });
  const log = createLogger('info', sink);
  log.info({ password: 'hunter2', apiKey: 'fk_secret', auth: { password: 'p2' }, key: { privateKeyPem: 'PEM' } }, 'login');
  const entry = JSON.parse(lines.join('')) as Record<string, unknown>;
  t.equal(entry.password, '[redacted]');
  t.equal(entry.apiKey, '[redacted]');
  t.same(entry.auth, { password: '[redacted]' });
  t.notMatch(lines.join(''), /hunter2|fk_secret|PEM|"p2"/);
});

t.test('every line logged before process.exit reaches stdout', async (t) => {
  const logModule = fileURLToPath(new URL('./log.ts', import.meta.url));
  const script = `import { createLogger } from ${JSON.stringify(logModule)};
const log = createLogger('info');
for (let i = 0; i < 5000; i++) log.info({ i }, 'line');
process.exit(0);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { maxBuffer: 64 * 1024 * 1024 });
  const seen = stdout.trim().split('\n').map((line) => (JSON.parse(line) as { i: number }).i);
  t.equal(seen.length, 5000);
  t.same(seen.slice(0, 3), [0, 1, 2]);
  t.equal(seen.at(-1), 4999);
});

t.test('a lone line on a quiet process reaches stdout while the process still runs', async (t) => {
  const logModule = fileURLToPath(new URL('./log.ts', import.meta.url));
  const script = `import { createLogger } from ${JSON.stringify(logModule)};
createLogger('info').info('alone');
setTimeout(() => { process.stderr.write('late\\n'); process.exit(0); }, 2000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const order: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => order.push(`stdout:${(JSON.parse(chunk.toString()) as { msg: string }).msg}`));
  child.stderr.on('data', () => order.push('stderr:late'));
  await once(child, 'close');
  t.same(order, ['stdout:alone', 'stderr:late'], 'written on the timer, long before exit');
});
