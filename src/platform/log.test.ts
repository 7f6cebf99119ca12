/**
 * The logger: secrets are redacted, and the asynchronous stdout destination loses no line when the
 * process exits right after logging (pino flushes what is queued on exit).
 */
import { execFile } from 'node:child_process';
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
