/**
 * The IP inventory's write path, shared by every part of the egress stage (leases, warm-up,
 * blocklist watch, revocation, the admin API): `mutateIp` reads an IP, lets a pure function
 * decide the next record and its history entry, and saves it with the store's compare-and-set,
 * retrying on a conflict (another node changed the IP meanwhile); the change is also appended to
 * the outcome stream as an IpEvent record. `registerNodeIps` adds this node's egress.ips to the
 * inventory (new IPs `available`), `seedPools` writes config pools that are not stored yet.
 */
import type { Config } from '../config/index.ts';
import { ErrorCodes, FerryError, isFerryError, type IpHistoryEntry, type IpRecord, type PoolRecord } from '../domain/index.ts';
import type { StateStore } from '../state/store.ts';

/** The next record and what to record about it; undefined leaves the IP as it is. */
export interface IpChange {
  readonly next: Omit<IpRecord, 'revision' | 'updatedAt'>;
  readonly event: string;
  readonly actor: string;
  readonly detail?: string;
  /** The tenant the IpEvent record belongs to (the lessee), when any. */
  readonly tenantId?: string;
}

const MAX_CONFLICT_RETRIES = 20;

/**
 * Applies `decide` to the IP's current record (undefined when not stored) until it is saved
 * without a conflict. Returns the stored record, or the current one when `decide` returned
 * undefined (nothing to change). Throws MTA_ERR_STATE_CONFLICT after too many lost races.
 */
export async function mutateIp(
  state: StateStore,
  address: string,
  now: () => number,
  decide: (current: IpRecord | undefined) => IpChange | undefined,
): Promise<IpRecord | undefined> {
  for (let tries = 0; tries < MAX_CONFLICT_RETRIES; tries++) {
    const current = await state.getIp(address);
    const change = decide(current);
    if (!change) return current;
    const at = now();
    const history: IpHistoryEntry = {
      at, address, event: change.event, actor: change.actor,
      ...(current && current.state !== change.next.state && { from: current.state }),
      ...((!current || current.state !== change.next.state) && { to: change.next.state }),
      ...(change.detail !== undefined && { detail: change.detail }),
    };
    try {
      const saved = await state.saveIp({ ...change.next, revision: current?.revision ?? 0, updatedAt: at }, current?.revision, history);
      await state.appendOutcomes([{
        type: 'IpEvent', at, address, event: change.event,
        ...(change.tenantId !== undefined && { tenantId: change.tenantId }),
        ...(change.detail !== undefined && { detail: change.detail }),
      }]);
      return saved;
    } catch (error) {
      if (isFerryError(error) && error.code === ErrorCodes.STATE_CONFLICT) continue;
      throw error;
    }
  }
  throw new FerryError(ErrorCodes.STATE_CONFLICT, `IP ${address}: too many concurrent changes, try again`);
}

/** Adds this node to each of its configured IPs (creating the IP as `available` when new). */
export async function registerNodeIps(state: StateStore, config: Config, now: () => number): Promise<void> {
  for (const ip of config.egress.ips) {
    await mutateIp(state, ip.address, now, (current) => {
      if (current?.nodes.includes(config.nodeId) && current.helo === ip.helo) return undefined;
      if (!current) {
        return { next: { address: ip.address, helo: ip.helo, nodes: [config.nodeId], state: 'available', listings: [] }, event: 'registered', actor: `node:${config.nodeId}` };
      }
      const nodes = current.nodes.includes(config.nodeId) ? current.nodes : [...current.nodes, config.nodeId];
      return { next: { ...current, helo: ip.helo, nodes }, event: 'node-added', actor: `node:${config.nodeId}`, detail: config.nodeId };
    });
  }
}

/** Config pools become inventory pools when no pool of that name is stored (the inventory is the truth after). */
export async function seedPools(state: StateStore, config: Config, now: () => number): Promise<void> {
  for (const [name, members] of Object.entries(config.egress.pools)) {
    if (await state.getPool(name)) continue;
    const pool: PoolRecord = {
      name,
      kind: name === 'shared' ? 'shared' : 'custom',
      members: members.map((m) => (typeof m === 'string' ? { address: m, weight: 1 } : { address: m.address, weight: m.weight })),
      updatedAt: now(),
    };
    await state.putPool(pool);
  }
}
