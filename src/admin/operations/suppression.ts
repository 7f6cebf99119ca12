/**
 * Suppression operations shared by the admin API and the `ferry suppression` CLI: a paged,
 * filtered list (per tenant or the global list), a manual add, a removal that needs a note,
 * and a CSV export. Each change writes one AdminAction record naming the actor.
 * Paging is by address (`after` = the last address of the previous page); the list is read
 * up to LIST_CAP entries per scope and filtered here, since the store lists by address only.
 */
import { ErrorCodes, FerryError } from '../../domain/index.ts';
import { GLOBAL_SCOPE, normalizeAddress, type StateStore, type SuppressionEntry, type SuppressionReason } from '../../state/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';

export const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['hard-bounce', 'complaint', 'unsubscribe', 'manual'];
const LIST_CAP = 100_000;
const ADDRESS = /^[^\s@<>]{1,64}@[^\s@<>]{1,253}$/;

export interface SuppressionFilter {
  /** Tenant id or name, or `global`. */
  readonly scope: string;
  readonly reason?: SuppressionReason;
  /** Case-insensitive substring of the address. */
  readonly contains?: string;
  readonly after?: string;
  readonly limit?: number;
}

export interface SuppressionPage {
  readonly scope: string;
  readonly entries: SuppressionEntry[];
  /** Pass as `after` for the next page; absent on the last page. */
  readonly nextAfter?: string;
}

/** `global` (or `*`) → the global list; else the tenant's id. */
export async function resolveSuppressionScope(state: StateStore, scope: string): Promise<string> {
  if (scope === 'global' || scope === GLOBAL_SCOPE) return GLOBAL_SCOPE;
  return (await resolveTenant(state, scope)).id;
}

export function validateAddress(input: string): string {
  const address = normalizeAddress(input);
  if (!ADDRESS.test(address)) throw new FerryError(ErrorCodes.INVALID_INPUT, `address "${input}": expected local@domain`);
  return address;
}

function matches(entry: SuppressionEntry, filter: SuppressionFilter, now: number): boolean {
  if (entry.expiresAt !== undefined && entry.expiresAt <= now) return false;
  if (filter.reason !== undefined && entry.reason !== filter.reason) return false;
  if (filter.contains !== undefined && !entry.address.includes(filter.contains.toLowerCase())) return false;
  return filter.after === undefined || entry.address > filter.after.toLowerCase();
}

export async function listSuppressionPage(state: StateStore, filter: SuppressionFilter, now = Date.now()): Promise<SuppressionPage> {
  const scope = await resolveSuppressionScope(state, filter.scope);
  const limit = filter.limit ?? 100;
  const all = await state.listSuppressions(scope, LIST_CAP);
  const picked = all.filter((entry) => matches(entry, filter, now));
  const entries = picked.slice(0, limit);
  const last = entries.at(-1);
  return picked.length > limit && last ? { scope, entries, nextAfter: last.address } : { scope, entries };
}

export interface ManualSuppression {
  readonly scope: string;
  readonly address: string;
  readonly note?: string;
  readonly expiresAt?: number;
}

export async function addManualSuppression(state: StateStore, input: ManualSuppression, context: OperationContext = {}, now = Date.now()) {
  const address = validateAddress(input.address);
  if (input.expiresAt !== undefined && input.expiresAt <= now) throw new FerryError(ErrorCodes.INVALID_INPUT, 'expiresAt must be in the future');
  const scope = await resolveSuppressionScope(state, input.scope);
  const note = input.note?.trim();
  const entry: SuppressionEntry = {
    scope, address, reason: 'manual', source: `admin:${context.actor ?? 'admin'}`, createdAt: now,
    ...(input.expiresAt !== undefined && { expiresAt: input.expiresAt }),
    ...(note ? { note } : {}),
  };
  const write = await state.addSuppression(entry, now);
  if (write.applied) await recordAdminAction(state, context, { tenantId: scope, action: 'suppression.add', target: address, ...(note ? { reason: note } : {}) });
  return write;
}

export async function removeSuppressionWithNote(state: StateStore, scopeInput: string, addressInput: string, note: string, context: OperationContext = {}) {
  const address = validateAddress(addressInput);
  if (note.trim() === '') throw new FerryError(ErrorCodes.INVALID_INPUT, 'removing a suppression needs a note (why it may be mailed again)');
  const scope = await resolveSuppressionScope(state, scopeInput);
  const removed = await state.removeSuppression(scope, address, note.trim());
  if (!removed) throw new FerryError(ErrorCodes.NOT_FOUND, `${address} is not suppressed in ${scope === GLOBAL_SCOPE ? 'the global list' : scope}`);
  await recordAdminAction(state, context, { tenantId: scope, action: 'suppression.remove', target: address, reason: `${note.trim()} (was ${removed.reason})` });
  return removed;
}

function csvField(value: string | number | undefined): string {
  const text = value === undefined ? '' : typeof value === 'number' ? new Date(value).toISOString() : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV (CRLF lines, quoted fields where needed) with a header line; times in ISO 8601. */
export function suppressionsCsv(entries: readonly SuppressionEntry[]): string {
  const header = 'address,reason,source,created_at,expires_at,note';
  const lines = entries.map((e) => [e.address, e.reason, e.source, e.createdAt, e.expiresAt, e.note].map(csvField).join(','));
  return [header, ...lines].join('\r\n') + '\r\n';
}
