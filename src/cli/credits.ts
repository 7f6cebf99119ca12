/**
 * `ferry credits add|show` and `ferry tenant refill`: the operator's view of the credit meter.
 * add writes a `top-up` ledger entry (idempotent with --ref) and one AdminAction outcome; show
 * prints balance, reserved, available, auto-refill settings and the newest ledger lines;
 * refill sets auto-refill, and refuses --enable when billing.url is not configured (never a
 * silent free refill; checked against this node's config). All print JSON with --json. With
 * --api URL each goes through the admin API's /v1/tenants/T/credits routes (same output).
 */
import { recordAdminAction, resolveTenant } from '../admin/operations/index.ts';
import { ErrorCodes, FerryError, newMessageId } from '../domain/index.ts';
import type { Tenant } from '../domain/index.ts';
import type { CreditLedgerEntry, CreditWrite, RefillSettings } from '../state/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { table } from './output.ts';

interface ApiBalance {
  readonly tenantId: string;
  readonly balance: number;
  readonly reserved: number;
  readonly autoRefill: RefillSettings | null;
}

const creditsPath = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}/credits`;
const apiTenant = (context: CommandContext, ref: string) => callApi<Tenant>(context, 'GET', `/v1/tenants/${encodeURIComponent(ref)}`);

const ACTOR = { actor: 'cli' };
const DEFAULT_LINES = 10;

function wholeNumber(text: string | undefined, what: string): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(value)) throw usageError(`${what} must be a whole number (got ${text ?? 'nothing'})`);
  return value;
}

function ledgerRows(entries: readonly CreditLedgerEntry[]): string[] {
  if (entries.length === 0) return ['no ledger entries'];
  return table([
    ['SEQ', 'AT', 'KIND', 'AMOUNT', 'BALANCE', 'REF'],
    ...entries.map((e) => [String(e.seq), new Date(e.at).toISOString(), e.kind, String(e.amount), String(e.balance), e.ref]),
  ]);
}

async function topUpViaApi(context: CommandContext, ref: string, amount: number, paymentRef: string) {
  const tenant = await apiTenant(context, ref);
  const write = await callApi<CreditWrite>(context, 'POST', `${creditsPath(tenant.id)}/top-up`, { amount, ref: paymentRef });
  const { balance } = await callApi<ApiBalance>(context, 'GET', creditsPath(tenant.id));
  return { tenantId: tenant.id, applied: write.applied, entry: write.entry, balance };
}

async function showViaApi(context: CommandContext, ref: string, limit: number) {
  const tenant = await apiTenant(context, ref);
  const { balance, reserved, autoRefill } = await callApi<ApiBalance>(context, 'GET', creditsPath(tenant.id));
  const ledger = limit > 0 ? (await callApi<{ entries: CreditLedgerEntry[] }>(context, 'GET', `${creditsPath(tenant.id)}/ledger?limit=${limit}`)).entries : [];
  return { tenantId: tenant.id, name: tenant.name, balance, reserved, available: balance - reserved, refill: autoRefill, ledger };
}

export async function creditsAdd(context: CommandContext): Promise<void> {
  const [ref = '', count] = expectArgs(context.rest, ['T', 'N'], 'credits add');
  const amount = wholeNumber(count, 'N');
  if (amount <= 0) throw usageError(`N must be a positive whole number of credits (got ${amount})`);
  const paymentRef = context.args.credit.ref ?? `cli-${newMessageId()}`;
  const result = viaApi(context) ? await topUpViaApi(context, ref, amount, paymentRef) : await withState(context, async (state) => {
    const tenant = await resolveTenant(state, ref);
    const write = await state.addCredits(tenant.id, amount, 'top-up', paymentRef);
    if (write.applied) await recordAdminAction(state, ACTOR, { tenantId: tenant.id, action: 'credits.add', target: paymentRef, reason: `${amount} credits` });
    return { tenantId: tenant.id, applied: write.applied, entry: write.entry, balance: (await state.getCredits(tenant.id)).balance };
  });
  context.out.result(result, () => [
    result.applied ? `added ${amount} credits to ${result.tenantId}; balance ${result.balance}` : `ref ${paymentRef} was already applied; balance ${result.balance}`,
  ]);
}

export async function creditsShow(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'credits show');
  const limit = context.args.credit.lines === undefined ? DEFAULT_LINES : wholeNumber(context.args.credit.lines, '--lines');
  const view = viaApi(context) ? await showViaApi(context, ref, limit) : await withState(context, async (state) => {
    const tenant = await resolveTenant(state, ref);
    const { balance, reserved } = await state.getCredits(tenant.id);
    const ledger = limit > 0 ? await state.readLedger(tenant.id, { limit }) : [];
    const refill = (await state.getRefillSettings(tenant.id)) ?? null;
    return { tenantId: tenant.id, name: tenant.name, balance, reserved, available: balance - reserved, refill, ledger };
  });
  const refillLine = view.refill
    ? `auto-refill: ${view.refill.enabled ? 'on' : 'off'}${view.refill.paused ? ` (paused: ${view.refill.pausedReason ?? '?'})` : ''}, below ${view.refill.threshold} buy ${view.refill.amount}`
    : 'auto-refill: not set';
  context.out.result(view, () => [
    `${view.tenantId}  ${view.name}  balance ${view.balance}  reserved ${view.reserved}  available ${view.available}`,
    refillLine,
    ...ledgerRows(view.ledger),
  ]);
}

function refillSettingsFrom(context: CommandContext, current: RefillSettings | undefined): RefillSettings {
  const { threshold, amount, enable, disable } = context.args.credit;
  if (enable === disable) throw usageError('tenant refill needs exactly one of --enable or --disable');
  if (enable && !context.config.billing.url) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, 'auto-refill cannot be enabled: billing.url is not configured (set billing.url and billing.secret)');
  }
  const settings: RefillSettings = {
    enabled: enable,
    threshold: threshold === undefined ? (current?.threshold ?? -1) : wholeNumber(threshold, '--threshold'),
    amount: amount === undefined ? (current?.amount ?? 0) : wholeNumber(amount, '--amount'),
    paused: false,
  };
  if (settings.threshold < 0 || settings.amount === 0) throw usageError('tenant refill needs --threshold N and --amount N the first time');
  return settings;
}

async function refillViaApi(context: CommandContext, ref: string): Promise<{ tenantId: string; refill: RefillSettings }> {
  const tenant = await apiTenant(context, ref);
  const current = await callApi<ApiBalance>(context, 'GET', creditsPath(tenant.id));
  const settings = refillSettingsFrom(context, current.autoRefill ?? undefined);
  const { enabled, threshold, amount } = settings;
  await callApi<RefillSettings>(context, 'PUT', `${creditsPath(tenant.id)}/auto-refill`, { enabled, threshold, amount });
  return { tenantId: tenant.id, refill: settings };
}

export async function tenantRefill(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant refill');
  const result = viaApi(context) ? await refillViaApi(context, ref) : await withState(context, async (state) => {
    const tenant = await resolveTenant(state, ref);
    const settings = refillSettingsFrom(context, await state.getRefillSettings(tenant.id));
    await state.setRefillSettings(tenant.id, settings);
    const action = settings.enabled ? 'credits.refill-enable' : 'credits.refill-disable';
    await recordAdminAction(state, ACTOR, { tenantId: tenant.id, action, target: tenant.id, reason: `below ${settings.threshold} buy ${settings.amount}` });
    return { tenantId: tenant.id, refill: settings };
  });
  const { refill } = result;
  context.out.result(result, () => [`${result.tenantId}: auto-refill ${refill.enabled ? 'on' : 'off'}, below ${refill.threshold} buy ${refill.amount}`]);
}
