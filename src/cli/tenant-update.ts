/**
 * `ferry tenant update T …`: pool, contact email, IP fallback, the tenant's own limits (--rate,
 * --burst, --daily-quota change only the values given, the others are kept; --clear-limits) and
 * its own content policy (--content-policy FILE: YAML or JSON of one filter.tenants entry;
 * --clear-content-policy). Directly on the embedded store through updateTenantSettings, or with
 * --api URL through PATCH /v1/tenants/:tenant — same validation, same output. Also exports
 * tenantSettingsLines (the human view of limits and content policy, shared with `tenant show`).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { resolveTenant, updateTenantSettings, type TenantSettingsPatch } from '../admin/operations/index.ts';
import { ErrorCodes, FerryError, type IpFallback, type Tenant, type TenantLimitOverrides } from '../domain/index.ts';
import { expectArgs, usageError } from './args.ts';
import { withState, type CommandContext } from './context.ts';
import { callApi, viaApi } from './node-access.ts';
import { tenantLine } from './output.ts';
import type { TenantUpdateOptions } from './tenant-args.ts';

const tenantPath = (ref: string) => `/v1/tenants/${encodeURIComponent(ref)}`;

/** `limits: rate=… burst=… daily-quota=…` and `content policy: {…}` ("config" when the record has none). */
export function tenantSettingsLines(tenant: Tenant): string[] {
  const own = tenant.limits ?? {};
  const limits = [
    own.messagesPerSecond === undefined ? undefined : `rate=${own.messagesPerSecond}/s`,
    own.burst === undefined ? undefined : `burst=${own.burst}`,
    own.dailyQuota === undefined ? undefined : `daily-quota=${own.dailyQuota}`,
  ].filter((part) => part !== undefined);
  return [
    `limits: ${limits.length > 0 ? `${limits.join(' ')} (others from config)` : 'from config'}`,
    `content policy: ${tenant.contentPolicy ? JSON.stringify(tenant.contentPolicy) : 'from config'}`,
  ];
}

function numberOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw usageError(`${flag} expects a number (got "${value}")`);
  return number;
}

/** The limits given on the command line, undefined when none. */
function givenLimits(options: TenantUpdateOptions): TenantLimitOverrides | undefined {
  const limits = {
    ...(options.rate === undefined ? {} : { messagesPerSecond: numberOption(options.rate, '--rate') }),
    ...(options.burst === undefined ? {} : { burst: numberOption(options.burst, '--burst') }),
    ...(options.dailyQuota === undefined ? {} : { dailyQuota: numberOption(options.dailyQuota, '--daily-quota') }),
  };
  if (Object.keys(limits).length > 0 && options.clearLimits) throw usageError('tenant update: give --rate/--burst/--daily-quota or --clear-limits, not both');
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/** The content policy file, parsed (YAML is a superset of JSON); validated by the operation. */
function readContentPolicy(file: string): TenantSettingsPatch['contentPolicy'] {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `--content-policy ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new FerryError(ErrorCodes.INVALID_INPUT, `--content-policy ${file}: expected one filter.tenants entry (a mapping)`);
  }
  return parsed as TenantSettingsPatch['contentPolicy'];
}

/** Everything but the limits (they are merged with the tenant's current ones first). */
function settingsPatch(options: TenantUpdateOptions): TenantSettingsPatch {
  if (options.contentPolicyFile !== undefined && options.clearContentPolicy) throw usageError('tenant update: give --content-policy FILE or --clear-content-policy, not both');
  return {
    ...(options.pool === undefined ? {} : { pool: options.pool }),
    ...(options.contactEmail === undefined ? {} : { contactEmail: options.contactEmail }),
    ...(options.ipFallback === undefined ? {} : { ipFallback: options.ipFallback as IpFallback }),
    ...(options.clearLimits ? { limits: null } : {}),
    ...(options.contentPolicyFile !== undefined ? { contentPolicy: readContentPolicy(options.contentPolicyFile) } : {}),
    ...(options.clearContentPolicy ? { contentPolicy: null } : {}),
  };
}

function withLimits(patch: TenantSettingsPatch, current: Tenant, given: TenantLimitOverrides | undefined): TenantSettingsPatch {
  return given === undefined ? patch : { ...patch, limits: { ...current.limits, ...given } };
}

/** PATCH through the admin API; new limits are merged with the current ones read first (GET). */
async function throughApi(context: CommandContext, ref: string, patch: TenantSettingsPatch, given: TenantLimitOverrides | undefined): Promise<Tenant> {
  const current = given === undefined ? undefined : await callApi<Tenant>(context, 'GET', tenantPath(ref));
  return callApi<Tenant>(context, 'PATCH', tenantPath(ref), current ? withLimits(patch, current, given) : patch);
}

export async function tenantUpdate(context: CommandContext): Promise<void> {
  const [ref = ''] = expectArgs(context.rest, ['T'], 'tenant update');
  const options = context.args.tenantUpdate;
  const given = givenLimits(options);
  const patch = settingsPatch(options);
  if (given === undefined && Object.keys(patch).length === 0) {
    throw usageError('tenant update needs at least one of --pool, --contact-email, --ip-fallback, --rate, --burst, --daily-quota, --clear-limits, --content-policy, --clear-content-policy');
  }
  const tenant = viaApi(context)
    ? await throughApi(context, ref, patch, given)
    : await withState(context, async (state) => {
        const current = await resolveTenant(state, ref);
        return updateTenantSettings(state, current, withLimits(patch, current, given), { actor: 'cli' });
      });
  context.out.result(tenant, () => [tenantLine(tenant), ...tenantSettingsLines(tenant)]);
}
