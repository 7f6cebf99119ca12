/**
 * The relay as operators run it: `node src/cli.ts serve` in a child process with a temp
 * dataDir, ephemeral ports and extra FERRY_* variables; the bound ports are read from the
 * `ferry relay started` log line. Also runs one-shot CLI commands on the same dataDir.
 * Exports startRelayProcess(options) → RelayProcess and runCli(dataDir, args).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const execFileAsync = promisify(execFile);

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly ports: { readonly submission: number; readonly smtps: number };
  /** Resolves with the exit code or signal once the process ended. */
  readonly exited: Promise<number | string | null>;
  kill(signal: NodeJS.Signals): Promise<number | string | null>;
}

export function relayEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // the relay gets neither the test's FERRY_* settings nor tap's NODE_OPTIONS loader hooks
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FERRY_') && k !== 'NODE_OPTIONS'));
  return {
    ...clean,
    FERRY_DATA_DIR: dataDir,
    FERRY_INGRESS_SUBMISSION_PORT: '0',
    FERRY_INGRESS_SMTPS_PORT: '0',
    FERRY_ADMIN_PORT: '0',
    FERRY_METRICS_PORT: '0',
    FERRY_LOG_LEVEL: 'info',
    ...extra,
  };
}

export async function startRelayProcess(dataDir: string, extraEnv: Record<string, string> = {}, timeoutMs = 30_000): Promise<RelayProcess> {
  const child = spawn(process.execPath, [CLI, 'serve'], { env: relayEnv(dataDir, extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string | null);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const ports = await new Promise<RelayProcess['ports']>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`relay did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    void exited.then((code) => reject(new Error(`relay exited (${String(code)}) before serving: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.includes('ferry relay started')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { ports: RelayProcess['ports'] }).ports);
    });
  });
  return {
    child,
    ports,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function runCli(dataDir: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [CLI, ...args], { env: relayEnv(dataDir, extraEnv) });
  return stdout;
}
