/** The config stage: schema, loading (file ← env, validate, freeze), secret masking. */
export { ConfigSchema, SECRET_PATHS, type Config } from './schema.ts';
export { loadConfig, validateConfig, maskSecrets, deepMerge, DEFAULT_CONFIG_FILE, type LoadOptions } from './load.ts';
export type { FilterConfig, FilterTenantConfig, FilterAction, FilterMode } from './schema-filter.ts';
