/** The config stage: schema, loading (file ← env, validate, freeze), secret masking. */
export { ConfigSchema, SECRET_PATHS, type Config } from './schema.ts';
export { loadConfig, validateConfig, maskSecrets, deepMerge, DEFAULT_CONFIG_FILE, type LoadOptions } from './load.ts';
export type { FilterConfig, FilterTenantConfig, FilterAction, FilterMode } from './schema-filter.ts';
/** Schemas of a tenant record's own limits / content policy (admin API and CLI validate with them). */
export { FilterTenantSchema } from './schema-filter.ts';
export { TenantLimitOverridesSchema } from './schema-credits.ts';
