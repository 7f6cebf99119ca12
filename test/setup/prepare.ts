/**
 * Test prerequisites: the real peers the integration tests use (swaks, Python's dkim module,
 * redis-server) come from Debian packages. When one is missing and we run as root (CI, a fresh
 * machine of this kind), install it with apt-get; otherwise say exactly what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const REQUIRED: ReadonlyArray<{ package: string; present: () => boolean }> = [
  { package: 'swaks', present: () => hasCommand('swaks') },
  // Debian's module is for Debian's python (the tests run /usr/bin/python3, not a pyenv one on PATH)
  { package: 'python3-dkim', present: () => spawnSync('/usr/bin/python3', ['-c', 'import dkim'], { stdio: 'ignore' }).status === 0 },
  { package: 'redis-server', present: () => hasCommand('redis-server') },
];

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

export function prepareTestPeers(): void {
  const missing = REQUIRED.filter((r) => !r.present()).map((r) => r.package);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing test peers: ${missing.join(', ')} — install them with: sudo apt-get install -y ${missing.join(' ')}`);
  }
  console.log(`installing test peers from Debian: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
}
