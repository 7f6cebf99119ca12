/**
 * `ferry message ID` — one message: its envelope (never the body), its deliveries still in the
 * spool, and every outcome record (reception, each attempt with egress IP, MX and reply, the
 * final state). `ferry outcomes` — outcome records paged by seq, filtered by tenant and type.
 * Directly on the node's LMDB env, or through the admin API with --api URL.
 */
import { listOutcomes, resolveTenant, traceMessage, type MessageTrace, type OutcomePage } from '../admin/operations/index.ts';
import type { OutcomeRecord, OutcomeType } from '../domain/index.ts';
import { expectArgs, usageError } from './args.ts';
import type { CommandContext } from './context.ts';
import { formatTime } from './format.ts';
import { callApi, viaApi, withNode } from './node-access.ts';
import { table } from './output.ts';

function recordLine(record: OutcomeRecord): string {
  const head = `${formatTime(record.at)}  #${record.seq ?? '?'}  ${record.type}`;
  switch (record.type) {
    case 'Reception':
      return `${head}  from=${record.mailFrom} to=${record.recipients.join(',')} size=${record.size} client=${record.clientIp}`;
    case 'Rejection':
      return `${head}  stage=${record.stage} ${record.reply}`;
    case 'Delivery':
    case 'TransientFailure':
    case 'Bounce':
    case 'Expiration': {
      const reply = record.reply ? `${record.reply.code} ${record.reply.enhanced ?? ''} ${record.reply.text}`.replace(/\s+/g, ' ') : '-';
      return `${head}  attempt=${record.attempt} ${record.recipients.join(',')} via ${record.egressIp ?? '-'} → ${record.mxHost ?? '-'}: ${reply}`;
    }
    case 'AdminAction':
      return `${head}  ${record.actor} ${record.action} ${record.target}${record.reason ? ` (${record.reason})` : ''}`;
    default:
      return `${head}  ${JSON.stringify(record)}`;
  }
}

function traceLines(trace: MessageTrace): string[] {
  const m = trace.message;
  const head = m
    ? [`message ${m.id}  tenant ${m.tenantId}  received ${formatTime(m.receivedAt)}  ${m.size} bytes`, `  from ${m.mailFrom} to ${m.rcptTo.join(', ')}`]
    : [`message ${trace.messageId} (no longer in the spool)`];
  const deliveries =
    trace.deliveries.length === 0
      ? ['deliveries: none queued']
      : ['deliveries:', ...table([['ID', 'DOMAIN', 'STATE', 'ATTEMPTS', 'DUE', 'RECIPIENTS'], ...trace.deliveries.map((d) => [d.id, d.domain, d.state, String(d.attempts), formatTime(d.dueAt), d.recipients.map((r) => `${r.address}:${r.state}`).join(',')])]).map((l) => `  ${l}`)];
  return [...head, '', ...deliveries, '', `records (${trace.records.length}):`, ...trace.records.map((r) => `  ${recordLine(r)}`)];
}

export async function messageCommand(context: CommandContext): Promise<void> {
  const [messageId = ''] = expectArgs(context.rest, ['ID'], 'message');
  const trace = viaApi(context)
    ? await callApi<MessageTrace>(context, 'GET', `/v1/messages/${encodeURIComponent(messageId)}`)
    : await withNode(context, ({ state, spool }) => traceMessage(state, spool, messageId));
  context.out.result(trace, () => traceLines(trace));
}

function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw usageError(`--${name} must be a non-negative integer`);
  return value;
}

export async function outcomesCommand(context: CommandContext): Promise<void> {
  expectArgs(context.rest, [], 'outcomes');
  const o = context.args.operator;
  const limit = Math.min(positiveInt(o.limit, 'limit', 100), 1000);
  const afterSeq = positiveInt(o.after, 'after', 0);
  const types = o.type?.split(',').filter((t) => t !== '') as OutcomeType[] | undefined;
  let page: OutcomePage;
  if (viaApi(context)) {
    const query = new URLSearchParams({ limit: String(limit), afterSeq: String(afterSeq), ...(o.tenant && { tenant: o.tenant }), ...(o.type && { type: o.type }) });
    page = await callApi<OutcomePage>(context, 'GET', `/v1/outcomes?${query}`);
  } else {
    page = await withNode(context, async ({ state }) => {
      const tenantId = o.tenant === undefined ? undefined : (await resolveTenant(state, o.tenant)).id;
      return listOutcomes(state, { limit, afterSeq, ...(tenantId && { tenantId }), ...(types && { types }) });
    });
  }
  context.out.result(page, () => [...page.records.map(recordLine), page.nextAfterSeq === undefined ? '(end)' : `(more: --after ${page.nextAfterSeq})`]);
}
