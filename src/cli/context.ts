/**
 * What a CLI command runs with: the loaded config, an Output, and (for state commands) the
 * state store on the same LMDB env a running relay uses (LMDB is multi-process safe).
 * withState opens the env and the store and always closes both before returning, so the CLI
 * never leaves the env open on exit.
 */
import type { Config } from '../config/index.ts';
import { openLocalDatabase, type LocalDatabase } from '../platform/index.ts';
import { openStateStore, type StateStore } from '../state/index.ts';
import type { CliArgs } from './args.ts';
import type { Output } from './output.ts';

export interface CommandContext {
  readonly args: CliArgs;
  /** Positional arguments after the command words. */
  readonly rest: readonly string[];
  readonly config: Config;
  readonly out: Output;
}

/** The state store on this node's env, its warnings (e.g. a new master key file) on stderr. */
export function openCliState(context: CommandContext, db: LocalDatabase): Promise<StateStore> {
  return openStateStore(context.config, db, {
    log: { warn: (details, message) => process.stderr.write(`ferry: ${message} ${JSON.stringify(details)}\n`) },
  });
}

export async function withState<T>(context: CommandContext, body: (state: StateStore) => Promise<T>): Promise<T> {
  const db = openLocalDatabase(context.config.dataDir);
  try {
    const state = await openCliState(context, db);
    try {
      return await body(state);
    } finally {
      await state.close();
    }
  } finally {
    await db.close();
  }
}
