/**
 * `ferry case list|show|consent|review` (complaint cases) and `ferry webhook set|show|remove`
 * (a tenant's webhook endpoint), directly on the node's state store or through the admin API
 * with --api URL. Thin over src/admin/operations/complaint-cases.ts. The webhook secret is
 * printed once, by `webhook set`. Exports caseCommand, webhookCommand.
 */
import { CASE_STATUSES, getCase, listCases, removeWebhook, reviewCase, setWebhook, showWebhook, submitConsent } from '../admin/operations/index.ts';
import type { PublicWebhook } from '../admin/operations/index.ts';
import type { ComplaintCase, ComplaintCaseStatus, WebhookEndpoint } from '../state/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { table } from './output.ts';

const ACTOR = { actor: 'cli' };
const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString());

function caseLines(c: ComplaintCase): string[] {
  return [
    `${c.id}  ${c.status}  tenant ${c.tenantId}  recipient ${c.recipient}`,
    `opened ${iso(c.openedAt)}, proof due ${iso(c.dueAt)}${c.closedAt ? `, closed ${iso(c.closedAt)}` : ''}`,
    ...(c.consent ? [`consent: ${iso(c.consent.consentedAt)} via ${c.consent.source} (${c.consent.relationship}), submitted ${iso(c.consent.submittedAt)}`] : []),
    ...(c.decisionNote ? [`decision: ${c.decisionNote}`] : []),
  ];
}

async function list(context: CommandContext): Promise<void> {
  expectArgs(context.rest, ['list'], 'case list');
  const tenant = context.args.operator.tenant;
  const status = context.args.feedback.status;
  if (status !== undefined && !(CASE_STATUSES as readonly string[]).includes(status)) throw usageError(`--status ${status}: one of ${CASE_STATUSES.join(', ')}`);
  const query = { ...(tenant && { tenant }), ...(status && { status: status as ComplaintCaseStatus }) };
  const cases = viaApi(context)
    ? await callApi<ComplaintCase[]>(context, 'GET', `/v1/complaint-cases?${new URLSearchParams(query)}`)
    : await withState(context, (state) => listCases(state, query));
  context.out.result(cases, () => (cases.length === 0 ? ['no complaint cases'] : table([['ID', 'STATUS', 'TENANT', 'RECIPIENT', 'DUE'], ...cases.map((c) => [c.id, c.status, c.tenantId, c.recipient, iso(c.dueAt)])])));
}

async function show(context: CommandContext): Promise<void> {
  const [, id = ''] = expectArgs(context.rest, ['show', 'ID'], 'case show');
  const found = viaApi(context) ? await callApi<ComplaintCase>(context, 'GET', `/v1/complaint-cases/${encodeURIComponent(id)}`) : await withState(context, (state) => getCase(state, id));
  context.out.result(found, () => caseLines(found));
}

async function consent(context: CommandContext): Promise<void> {
  const [, id = ''] = expectArgs(context.rest, ['consent', 'ID'], 'case consent');
  const { at, source, relationship } = context.args.feedback;
  if (at === undefined || source === undefined || relationship === undefined) throw usageError('case consent needs --at ISO-TIME --source S --relationship R');
  const proof = { consentedAt: at, source, relationship };
  const moved = viaApi(context)
    ? await callApi<ComplaintCase>(context, 'POST', `/v1/complaint-cases/${encodeURIComponent(id)}/consent`, proof)
    : await withState(context, (state) => submitConsent(state, context.config, id, proof, ACTOR));
  context.out.result(moved, () => caseLines(moved));
}

async function review(context: CommandContext): Promise<void> {
  const [, id = '', decision = ''] = expectArgs(context.rest, ['review', 'ID', 'accept|reject'], 'case review');
  if (decision !== 'accept' && decision !== 'reject') throw usageError(`case review: "${decision}" is not accept or reject`);
  const note = context.args.feedback.note;
  if (note === undefined || note.trim() === '') throw usageError('case review needs --note N');
  const moved = viaApi(context)
    ? await callApi<ComplaintCase>(context, 'POST', `/v1/complaint-cases/${encodeURIComponent(id)}/review`, { decision, note })
    : await withState(context, (state) => reviewCase(state, context.config, id, { accept: decision === 'accept', note }, ACTOR));
  context.out.result(moved, () => caseLines(moved));
}

export async function caseCommand(context: CommandContext): Promise<void> {
  const verbs: Record<string, (c: CommandContext) => Promise<void>> = { list, show, consent, review };
  const run = verbs[context.rest[0] ?? ''];
  if (!run) throw usageError('case expects list, show, consent or review');
  return run(context);
}

function batchOf(context: CommandContext): number {
  const raw = context.args.feedback.batch ?? '1';
  const batch = Number(raw);
  if (!Number.isInteger(batch) || batch < 1) throw usageError(`--batch ${raw}: expected a whole number ≥ 1`);
  return batch;
}

const webhookPath = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}/webhook`;
const webhookLine = (w: PublicWebhook) => `${w.tenantId}  ${w.url}  batch ${w.batchSize}  since ${iso(w.createdAt)}`;

async function webhookSet(context: CommandContext): Promise<void> {
  const [, tenant = '', url = ''] = expectArgs(context.rest, ['set', 'T', 'URL'], 'webhook set');
  const input = { url, batchSize: batchOf(context) };
  const endpoint = viaApi(context)
    ? await callApi<WebhookEndpoint>(context, 'PUT', webhookPath(tenant), input)
    : await withState(context, (state) => setWebhook(state, tenant, input, ACTOR));
  context.out.result(endpoint, () => [webhookLine(endpoint), `secret: ${endpoint.secret}`, 'Shown only now: verify the Ferry-Signature header with it.']);
}

async function webhookShowOrRemove(context: CommandContext, verb: 'show' | 'remove'): Promise<void> {
  const [, tenant = ''] = expectArgs(context.rest, [verb, 'T'], `webhook ${verb}`);
  const endpoint = viaApi(context)
    ? await callApi<PublicWebhook>(context, verb === 'show' ? 'GET' : 'DELETE', webhookPath(tenant))
    : await withState(context, (state) => (verb === 'show' ? showWebhook(state, tenant) : removeWebhook(state, tenant, ACTOR)));
  context.out.result(endpoint, () => [verb === 'show' ? webhookLine(endpoint) : `removed ${endpoint.url}`]);
}

export async function webhookCommand(context: CommandContext): Promise<void> {
  const [verb] = context.rest;
  if (verb === 'set') return webhookSet(context);
  if (verb === 'show' || verb === 'remove') return webhookShowOrRemove(context, verb);
  throw usageError('webhook expects set, show or remove');
}
