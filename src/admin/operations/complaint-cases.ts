/**
 * Complaint-case and webhook-endpoint operations shared by the admin API and the CLI.
 * Cases: list/get, the tenant's proof of consent, the reviewer's decision — the transitions
 * themselves are src/feedback/complaints (compare-and-set; a rejection suspends the tenant).
 * Webhooks: set (a new signing secret each time, returned once), show (never the secret), remove.
 * Every change writes one AdminAction record naming the actor.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/index.ts';
import { ErrorCodes, FerryError, parseDuration } from '../../domain/index.ts';
import { createComplaintCases } from '../../feedback/complaints/index.ts';
import type { ComplaintCase, ComplaintCaseStatus, StateStore, WebhookEndpoint } from '../../state/index.ts';
import { recordAdminAction, resolveTenant, type OperationContext } from './tenants.ts';

export const CASE_STATUSES: readonly ComplaintCaseStatus[] = ['open', 'consent-submitted', 'accepted', 'rejected', 'expired'];
export const MAX_WEBHOOK_BATCH = 100;

function cases(state: StateStore, config: Config, now: () => number) {
  return createComplaintCases(state, parseDuration(config.feedback.complaints.consentDeadline), now);
}

export async function listCases(state: StateStore, query: { tenant?: string; status?: ComplaintCaseStatus }): Promise<ComplaintCase[]> {
  const tenantId = query.tenant === undefined ? undefined : (await resolveTenant(state, query.tenant)).id;
  const found = await state.listComplaintCases({ ...(tenantId !== undefined && { tenantId }), ...(query.status !== undefined && { status: query.status }) });
  return found.sort((a, b) => b.openedAt - a.openedAt);
}

export async function getCase(state: StateStore, id: string): Promise<ComplaintCase> {
  const found = await state.getComplaintCase(id);
  if (!found) throw new FerryError(ErrorCodes.NOT_FOUND, `no complaint case ${id}`);
  return found;
}

export interface ConsentInput {
  /** ISO 8601 date/time of the consent. */
  readonly consentedAt: string;
  readonly source: string;
  readonly relationship: string;
}

function consentTime(input: string, now: number): number {
  const at = Date.parse(input);
  if (!/^\d{4}-\d{2}-\d{2}/.test(input) || !Number.isFinite(at)) throw new FerryError(ErrorCodes.INVALID_INPUT, `consentedAt "${input}": expected an ISO 8601 date/time`);
  if (at > now) throw new FerryError(ErrorCodes.INVALID_INPUT, 'consentedAt is in the future');
  return at;
}

export async function submitConsent(state: StateStore, config: Config, caseId: string, input: ConsentInput, context: OperationContext = {}, now: () => number = Date.now) {
  const consentedAt = consentTime(input.consentedAt, now());
  const current = await getCase(state, caseId);
  const moved = await cases(state, config, now).submitConsent(caseId, current.tenantId, { consentedAt, source: input.source.trim(), relationship: input.relationship.trim() });
  await recordAdminAction(state, context, { tenantId: moved.tenantId, action: 'complaint.consent', target: caseId, reason: `${input.relationship.trim()} via ${input.source.trim()}` });
  return moved;
}

export async function reviewCase(state: StateStore, config: Config, caseId: string, decision: { accept: boolean; note: string }, context: OperationContext = {}, now: () => number = Date.now) {
  if (decision.note.trim() === '') throw new FerryError(ErrorCodes.INVALID_INPUT, 'a review needs a note');
  const reviewer = context.actor ?? 'admin';
  const moved = await cases(state, config, now).review(caseId, decision.accept, reviewer, decision.note.trim());
  await recordAdminAction(state, context, { tenantId: moved.tenantId, action: decision.accept ? 'complaint.accept' : 'complaint.reject', target: caseId, reason: decision.note.trim() });
  return moved;
}

export interface WebhookInput {
  readonly url: string;
  /** 1 = one event per request, else a JSON array of up to this many. */
  readonly batchSize?: number;
}

export type PublicWebhook = Omit<WebhookEndpoint, 'secret'>;

export function publicWebhook(endpoint: WebhookEndpoint): PublicWebhook {
  const { secret: _secret, ...rest } = endpoint;
  return rest;
}

function validateWebhookUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `url "${input}": not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new FerryError(ErrorCodes.INVALID_INPUT, `url "${input}": use http or https`);
  if (url.username !== '' || url.password !== '') throw new FerryError(ErrorCodes.INVALID_INPUT, `url "${input}": no credentials in the URL (requests are signed)`);
  return url.toString();
}

/** Sets (or replaces) the tenant's endpoint with a fresh secret; the answer is the only place the secret appears. */
export async function setWebhook(state: StateStore, tenant: string, input: WebhookInput, context: OperationContext = {}, now = Date.now()): Promise<WebhookEndpoint> {
  const url = validateWebhookUrl(input.url);
  const batchSize = input.batchSize ?? 1;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_WEBHOOK_BATCH) throw new FerryError(ErrorCodes.INVALID_INPUT, `batchSize must be 1-${MAX_WEBHOOK_BATCH}`);
  const owner = await resolveTenant(state, tenant);
  const endpoint: WebhookEndpoint = { tenantId: owner.id, url, secret: `whsec_${randomBytes(32).toString('base64url')}`, batchSize, createdAt: now };
  await state.setWebhookEndpoint(owner.id, endpoint);
  await recordAdminAction(state, context, { tenantId: owner.id, action: 'webhook.set', target: url, reason: `batch ${batchSize}` });
  return endpoint;
}

export async function showWebhook(state: StateStore, tenant: string): Promise<PublicWebhook> {
  const owner = await resolveTenant(state, tenant);
  const endpoint = await state.getWebhookEndpoint(owner.id);
  if (!endpoint) throw new FerryError(ErrorCodes.NOT_FOUND, `tenant ${owner.name} has no webhook endpoint`);
  return publicWebhook(endpoint);
}

export async function removeWebhook(state: StateStore, tenant: string, context: OperationContext = {}): Promise<PublicWebhook> {
  const current = await showWebhook(state, tenant);
  await state.setWebhookEndpoint(current.tenantId, undefined);
  await recordAdminAction(state, context, { tenantId: current.tenantId, action: 'webhook.remove', target: current.url });
  return current;
}
