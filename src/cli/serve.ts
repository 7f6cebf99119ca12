/**
 * `ferry serve` and `ferry config print`. serve creates the root logger and calls
 * startRelay(config, log) from src/main.ts (the composition root); SIGTERM or SIGINT stops
 * the relay and exits 0, a second signal during the stop exits 1 at once.
 * main.ts is loaded lazily so the admin commands start fast and never boot the relay.
 */
import { stringify as toYaml } from 'yaml';
import { maskSecrets, type Config } from '../config/index.ts';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import { createLogger, type Logger } from '../platform/index.ts';
import { expectArgs } from './args.ts';
import type { Relay } from '../main.ts';
import type { CommandContext } from './context.ts';

type StartRelay = (config: Config, log: Logger) => Promise<Pick<Relay, 'stop' | 'reloadRules'>>;

async function loadStartRelay(): Promise<StartRelay> {
  const url = new URL('../main.ts', import.meta.url).href;
  const mainModule = (await import(url)) as { startRelay?: StartRelay };
  if (typeof mainModule.startRelay !== 'function') {
    throw new FerryError(ErrorCodes.INTERNAL, 'src/main.ts does not export startRelay(config, log)');
  }
  return mainModule.startRelay;
}

/** Resolves on the first SIGTERM/SIGINT; a second signal exits 1 at once (a stop that hangs). */
function stopRequested(log: Logger): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (seen) process.exit(1);
      seen = true;
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export async function serve(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'serve');
  const log = createLogger(context.config.log.level);
  // Handlers first: a signal during start-up stops the relay once it is up, not mid-start.
  const stopping = stopRequested(log);
  const startRelay = await loadStartRelay();
  const relay = await startRelay(context.config, log);
  // SIGHUP: reload the rule data files; sessions and queues are untouched, a bad file changes nothing
  process.on('SIGHUP', () => {
    try {
      relay.reloadRules();
    } catch (error) {
      log.error({ err: error }, 'rule reload failed; the previous rules stay in force');
    }
  });
  await stopping;
  try {
    await relay.stop();
  } catch (error) {
    log.error({ err: error }, 'stop failed');
    process.exit(1);
  }
  process.exit(0);
}

export async function configPrint(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'config print');
  const masked = maskSecrets(context.config);
  context.out.result(masked, () => [toYaml(masked).trimEnd()]);
}
