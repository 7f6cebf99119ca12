/**
 * What the admin API is built from (buildAdmin(deps)): the config, the state store, the spool,
 * the DNS resolver, where the egress-path queues come from (live in the relay; the snapshot
 * file elsewhere), and the readiness probe. Exports AdminDeps.
 */
import type { Config } from '../config/index.ts';
import type { Resolver } from '../platform/index.ts';
import type { Spool } from '../spool/index.ts';
import type { StateStore } from '../state/index.ts';
import type { RevocationDeps } from '../egress/index.ts';
import type { QueueSnapshot } from './queue-snapshot.ts';

export interface AdminDeps {
  readonly config: Config;
  readonly state: StateStore;
  readonly spool: Spool;
  readonly resolver: Resolver;
  readonly queueSnapshot: () => Promise<QueueSnapshot | undefined>;
  /** Named checks for /readyz; all true → 200. */
  readonly readiness?: () => Promise<Record<string, boolean>>;
  readonly now?: () => number;
  /**
   * The egress stage's context for IP changes (the relay passes its own, whose `applied` refreshes
   * the node's view at once); absent → built from config, state and spool (egressContext).
   */
  readonly egress?: RevocationDeps;
  /** Log level of the Fastify logger (default: silent; the relay passes its own). */
  readonly logLevel?: string;
}
