/**
 * `ferry suppression list|add|remove|export S …` — a tenant's (or the global) suppression list,
 * directly on the node's state store or through the admin API with --api URL. Thin over
 * src/admin/operations/suppression.ts; export prints CSV (through the API it pages the list).
 * Exports suppressionCommand (dispatches on the first positional word).
 */
import { addManualSuppression, listSuppressionPage, removeSuppressionWithNote, SUPPRESSION_REASONS, suppressionsCsv } from '../admin/operations/index.ts';
import type { SuppressionFilter, SuppressionPage } from '../admin/operations/index.ts';
import type { SuppressionEntry, SuppressionReason, SuppressionWrite } from '../state/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { table } from './output.ts';

const ACTOR = { actor: 'cli' };
const API_PAGE = 1000;

function limitOf(context: CommandContext): number {
  const raw = context.args.operator.limit ?? '100';
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw usageError(`--limit ${raw}: expected 1-1000`);
  return limit;
}

function reasonOf(context: CommandContext): SuppressionReason | undefined {
  const reason = context.args.reason;
  if (reason !== undefined && !(SUPPRESSION_REASONS as readonly string[]).includes(reason)) throw usageError(`--reason ${reason}: one of ${SUPPRESSION_REASONS.join(', ')}`);
  return reason as SuppressionReason | undefined;
}

const scopePath = (scope: string) => `/v1/suppressions/${encodeURIComponent(scope)}`;

async function fetchPage(context: CommandContext, filter: SuppressionFilter): Promise<SuppressionPage> {
  if (!viaApi(context)) return withState(context, (state) => listSuppressionPage(state, filter));
  const query = new URLSearchParams({ limit: String(filter.limit ?? 100) });
  for (const key of ['after', 'reason', 'contains'] as const) if (filter[key] !== undefined) query.set(key, String(filter[key]));
  return callApi<SuppressionPage>(context, 'GET', `${scopePath(filter.scope)}?${query}`);
}

function entryRows(entries: readonly SuppressionEntry[]): string[] {
  if (entries.length === 0) return ['no suppressions'];
  return table([['ADDRESS', 'REASON', 'SINCE', 'EXPIRES', 'NOTE'], ...entries.map((e) => [e.address, e.reason, new Date(e.createdAt).toISOString(), e.expiresAt ? new Date(e.expiresAt).toISOString() : '-', e.note ?? ''])]);
}

async function list(context: CommandContext): Promise<void> {
  const [, scope = ''] = expectArgs(context.rest, ['list', 'S'], 'suppression list');
  const reason = reasonOf(context);
  const { after } = context.args.operator;
  const { contains } = context.args.feedback;
  const page = await fetchPage(context, { scope, limit: limitOf(context), ...(reason && { reason }), ...(after && { after }), ...(contains && { contains }) });
  context.out.result(page, () => [...entryRows(page.entries), page.nextAfter === undefined ? '(end)' : `(more: --after ${page.nextAfter})`]);
}

async function add(context: CommandContext): Promise<void> {
  const [, scope = '', address = ''] = expectArgs(context.rest, ['add', 'S', 'ADDRESS'], 'suppression add');
  const { note } = context.args.feedback;
  const write = viaApi(context)
    ? await callApi<SuppressionWrite>(context, 'POST', scopePath(scope), { address, ...(note !== undefined && { note }) })
    : await withState(context, (state) => addManualSuppression(state, { scope, address, ...(note !== undefined && { note }) }, ACTOR));
  context.out.result(write, () => [write.applied ? `suppressed ${write.entry.address}` : `already suppressed: ${write.entry.address} (${write.entry.reason})`]);
}

async function remove(context: CommandContext): Promise<void> {
  const [, scope = '', address = ''] = expectArgs(context.rest, ['remove', 'S', 'ADDRESS'], 'suppression remove');
  const note = context.args.feedback.note;
  if (note === undefined || note.trim() === '') throw usageError('suppression remove needs --note N (why it may be mailed again)');
  const removed = viaApi(context)
    ? await callApi<SuppressionEntry>(context, 'DELETE', `${scopePath(scope)}/${encodeURIComponent(address)}`, { note })
    : await withState(context, (state) => removeSuppressionWithNote(state, scope, address, note, ACTOR));
  context.out.result(removed, () => [`lifted ${removed.address} (was ${removed.reason})`]);
}

async function exportCsv(context: CommandContext): Promise<void> {
  const [, scope = ''] = expectArgs(context.rest, ['export', 'S'], 'suppression export');
  const entries: SuppressionEntry[] = [];
  let after: string | undefined;
  do {
    const page = await fetchPage(context, { scope, limit: viaApi(context) ? API_PAGE : Number.MAX_SAFE_INTEGER, ...(after !== undefined && { after }) });
    entries.push(...page.entries);
    after = page.nextAfter;
  } while (after !== undefined);
  process.stdout.write(suppressionsCsv(entries));
}

export async function suppressionCommand(context: CommandContext): Promise<void> {
  const [verb] = context.rest;
  if (verb === 'list') return list(context);
  if (verb === 'add') return add(context);
  if (verb === 'remove') return remove(context);
  if (verb === 'export') return exportCsv(context);
  throw usageError('suppression expects list, add, remove or export');
}
