/**
 * `npm test`: installs the test peers when missing, runs the whole tap suite (unit tests beside
 * the code, integration tests in test/, bench tool tests), and ends with one summary line
 * `N passed, M failed` (assertions). Exit code is tap's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { prepareTestPeers } from './prepare.ts';

prepareTestPeers();

// tap compiles its plugin set (package.json `tap.plugin`: TypeScript runs by Node's own type
// stripping, not tap's ts-node plugin) into node_modules; a fresh install has the default set.
const build = spawnSync('tap', ['build'], { stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) process.exit(build.status ?? 1);

const child = spawn('tap', ['--reporter=tap', ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'inherit'] });
let tail = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
child.on('close', (code) => {
  // tap's closing summary: `# { total: 34, pass: 33, fail: 1, skip: 0 }`
  const summary = [...tail.matchAll(/# \{ ([^}]*) \}/g)].at(-1)?.[1] ?? '';
  const count = (key: string) => Number(new RegExp(`${key}: (\\d+)`).exec(summary)?.[1] ?? 0);
  const pass = count('pass');
  const fail = count('fail');
  const failed = fail > 0 || code !== 0 ? Math.max(fail, 1) : 0;
  console.log(`${pass} passed, ${failed} failed`);
  process.exit(code ?? 1);
});
