/**
 * How the CLI prints: JSON (one document on stdout, for scripts) or short human text, and how
 * errors are reported (stderr, with the FerryError code). Also the public views of records:
 * a domain shown to an operator never includes a private key.
 */
import type { ApiKeyRecord, SendingDomain, Tenant } from '../domain/index.ts';

export interface Output {
  readonly json: boolean;
  /** Print a result: `data` as JSON with --json, else the human lines. */
  result(data: unknown, human: () => readonly string[]): void;
}

export function createOutput(json: boolean, write: (text: string) => void = (text) => process.stdout.write(text)): Output {
  return {
    json,
    result(data, human) {
      write(json ? JSON.stringify(data, null, 2) + '\n' : human().join('\n') + '\n');
    },
  };
}

export function publicDomain(domain: SendingDomain) {
  return {
    domain: domain.domain,
    tenantId: domain.tenantId,
    createdAt: new Date(domain.createdAt).toISOString(),
    dkimKeys: domain.dkimKeys.map((k) => ({ selector: k.selector, algorithm: k.algorithm, publicKeyDns: k.publicKeyDns })),
  };
}

export function publicKeyRecord(record: ApiKeyRecord) {
  return {
    id: record.id,
    tenantId: record.tenantId,
    createdAt: new Date(record.createdAt).toISOString(),
    revokedAt: record.revokedAt === undefined ? null : new Date(record.revokedAt).toISOString(),
  };
}

export function tenantLine(tenant: Tenant): string {
  const reason = tenant.statusReason ? ` (${tenant.statusReason})` : '';
  const relay = tenant.relayNetworks.length > 0 ? `  relay-networks=${tenant.relayNetworks.join(',')}` : '';
  return `${tenant.id}  ${tenant.name}  ${tenant.status}${reason}  pool=${tenant.pool}${relay}`;
}

/** Aligned columns for human lists. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
