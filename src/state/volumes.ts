/**
 * Per-tenant sending volumes: what appendOutcomes counts, per tenant and hourly bucket, so that
 * tenant reputation reads a handful of counters instead of re-reading the outcome stream.
 * Exports TenantVolumes, VolumeDelta, volumeDelta, VOLUME_BUCKET_MS, VOLUME_RETENTION_MS,
 * volumeBucket, addVolumes, emptyVolumes. Both backends count through volumeDelta, so they agree.
 * Counted: Reception → received recipients; Delivery and Bounce → attempted recipients; a hard
 * Bounce → hard-bounced recipients; Complaint → one complaint. Buckets older than the retention
 * are dropped by the backends.
 */
import type { OutcomeRecord } from '../domain/index.ts';

export interface TenantVolumes {
  received: number;
  attempted: number;
  hardBounces: number;
  complaints: number;
}

export const VOLUME_BUCKET_MS = 3_600_000;
/** Counters are kept this long: a reputation window longer than this sees only this much. */
export const VOLUME_RETENTION_MS = 31 * 24 * VOLUME_BUCKET_MS;

export interface VolumeDelta {
  readonly tenantId: string;
  readonly bucket: number;
  readonly volumes: TenantVolumes;
}

export function emptyVolumes(): TenantVolumes {
  return { received: 0, attempted: 0, hardBounces: 0, complaints: 0 };
}

export function volumeBucket(at: number): number {
  return Math.floor(at / VOLUME_BUCKET_MS) * VOLUME_BUCKET_MS;
}

export function addVolumes(total: TenantVolumes, more: TenantVolumes): void {
  total.received += more.received;
  total.attempted += more.attempted;
  total.hardBounces += more.hardBounces;
  total.complaints += more.complaints;
}

/** What one record adds to its tenant's counters; undefined when it counts for nothing. */
function recordVolumes(record: OutcomeRecord): TenantVolumes | undefined {
  switch (record.type) {
    case 'Reception': return { ...emptyVolumes(), received: record.recipients.length };
    case 'Delivery': return { ...emptyVolumes(), attempted: record.recipients.length };
    case 'Bounce': return { ...emptyVolumes(), attempted: record.recipients.length, hardBounces: record.hard === true ? record.recipients.length : 0 };
    case 'Complaint': return { ...emptyVolumes(), complaints: 1 };
    default: return undefined;
  }
}

/** The counter increments of a batch of records, summed per (tenant, bucket). */
export function volumeDelta(records: readonly OutcomeRecord[]): VolumeDelta[] {
  const out = new Map<string, VolumeDelta>();
  for (const record of records) {
    if (record.tenantId === undefined) continue;
    const volumes = recordVolumes(record);
    if (!volumes) continue;
    const bucket = volumeBucket(record.at);
    const key = `${record.tenantId}\n${bucket}`;
    const entry = out.get(key);
    if (entry) addVolumes(entry.volumes, volumes);
    else out.set(key, { tenantId: record.tenantId, bucket, volumes });
  }
  return [...out.values()];
}
