/** Platform adapters: logging (and later metrics, DNS, clock, TLS). */
export { createLogger, REDACT_PATHS, type Logger } from './log.ts';
export { openLocalDatabase, type LocalDatabase } from './localdb.ts';
export { createResolver, resolverOptionsFrom, normaliseDnsName, type Resolver, type ResolverOptions, type DnsResult, type MxRecord } from './dns.ts';
export { loadTlsMaterial, type TlsMaterial } from './tls.ts';
export { createMetrics, startMetricsServer, messageIdTime, LabelCap, type FerryMetrics, type MetricsServer, type EgressPathSample } from './metrics.ts';
export { readDataFile, parseDataText, bundledDataFile } from './data-file.ts';
