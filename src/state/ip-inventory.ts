/**
 * What both state backends share for the sending-IP inventory (StateStore ip methods): the
 * history cap per IP, the argument checks saveIp makes before touching storage (an input error
 * is MTA_ERR_INVALID_INPUT, never a conflict) and the list orders. Pure; exports IP_HISTORY_CAP,
 * checkIpSave, byAddress, byPoolName.
 */
import { ErrorCodes, FerryError, type IpHistoryEntry, type IpRecord, type PoolRecord } from '../domain/index.ts';

/** History entries kept per IP (older ones are dropped by the save that passes the cap). */
export const IP_HISTORY_CAP = 1000;

export function checkIpSave(record: IpRecord, expectedRevision: number | undefined, history: IpHistoryEntry): void {
  if (record.address === '') throw new FerryError(ErrorCodes.INVALID_INPUT, 'an IP record needs an address');
  if (expectedRevision !== undefined && (!Number.isSafeInteger(expectedRevision) || expectedRevision < 1)) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `expected revision must be a positive integer, got ${expectedRevision}`);
  }
  if (history.address !== record.address) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `history entry for ${history.address} saved with IP ${record.address}`);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function byAddress(a: IpRecord, b: IpRecord): number {
  return compare(a.address, b.address);
}

export function byPoolName(a: PoolRecord, b: PoolRecord): number {
  return compare(a.name, b.name);
}
