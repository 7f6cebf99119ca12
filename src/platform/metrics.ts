/**
 * Prometheus metrics (prom-client): one registry per relay, every series prefixed `ferry_`,
 * served by startMetricsServer on its own port (`metrics.host`/`metrics.port`, GET /metrics, no auth).
 * Exports createMetrics → FerryMetrics (record/ingress/state feeds, gauge sources read at scrape
 * time) and startMetricsServer. Label cardinality is bounded: the first `topTenants` tenants and
 * `topSites` sites seen keep their name, later ones are `other` (a counter cannot be relabelled,
 * so "top" is first-come; with the default 50/20 that covers a node's real tenants and providers).
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutcomeRecord } from '../domain/index.ts';

/** Bounded label values: the first `max` distinct values keep their name, the rest are `other`. */
export class LabelCap {
  readonly #max: number;
  readonly #seen = new Set<string>();
  constructor(max: number) {
    this.#max = max;
  }
  label(value: string | undefined): string {
    if (value === undefined || value === '') return 'none';
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#max) return 'other';
    this.#seen.add(value);
    return value;
  }
}

export interface EgressPathSample {
  readonly ip: string;
  readonly site: string;
  readonly depth: number;
  readonly activeConnections: number;
  readonly oldestAgeMs: number;
}

export interface MetricSources {
  egressPaths?: () => readonly EgressPathSample[];
  spool?: () => Promise<{ messages: number; scheduled: number; active: number; held?: number; oldestReceivedAt: number | undefined }>;
  credits?: () => Promise<readonly { tenantId: string; available: number }[]>;
}

export interface MetricsOptions {
  readonly topTenants: number;
  readonly topSites: number;
  readonly now?: () => number;
}

/** Decodes the 48-bit ms timestamp of a message id (src/domain/ids.ts: 10 base32 chars = ts << 2 | 2 random bits). */
export function messageIdTime(messageId: string): number | undefined {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let value = 0;
  for (const char of messageId.slice(0, 10)) {
    const digit = alphabet.indexOf(char);
    if (digit < 0) return undefined;
    value = value * 32 + digit;
  }
  return messageId.length >= 10 ? Math.floor(value / 4) : undefined;
}

/** One read of an async source shared by the collects of one scrape (they run concurrently). */
function scrapeOnce<T>(read: () => Promise<T>, ttlMs = 250): () => Promise<T | undefined> {
  let cached: { at: number; value: Promise<T | undefined> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > ttlMs) cached = { at: now, value: read().catch(() => undefined) };
    return cached.value;
  };
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const DELIVERY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 14400, 86400];

export type FerryMetrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  const tenants = new LabelCap(options.topTenants);
  const sites = new LabelCap(options.topSites);
  const sources: MetricSources = {};
  collectDefaultMetrics({ register: registry, prefix: 'ferry_' });
  const registers = [registry];

  const outcomes = new Counter({ name: 'ferry_outcomes_total', help: 'Outcome records by type, tenant, egress IP, site and class', labelNames: ['type', 'tenant', 'egress_ip', 'site', 'class'], registers });
  const recipients = new Counter({ name: 'ferry_outcome_recipients_total', help: 'Recipients in delivery attempt records by type, tenant, egress IP and site', labelNames: ['type', 'tenant', 'egress_ip', 'site'], registers });
  const sessions = new Counter({ name: 'ferry_ingress_sessions_total', help: 'SMTP sessions opened', registers });
  const sessionsOpen = new Gauge({ name: 'ferry_ingress_sessions_open', help: 'SMTP sessions open now', registers });
  const replies = new Counter({ name: 'ferry_ingress_replies_total', help: 'SMTP replies sent by code', labelNames: ['code'], registers });
  const acceptLatency = new Histogram({ name: 'ferry_ingress_accept_seconds', help: 'Client connect to 250 queued', buckets: LATENCY_BUCKETS, registers });
  const deliveredLatency = new Histogram({ name: 'ferry_accept_to_delivered_seconds', help: 'Accept to remote 250, per delivered delivery', labelNames: ['site'], buckets: DELIVERY_BUCKETS, registers });
  // Bounded by the caller: only inventory IPs × configured DNSBL zones (src/egress/blocklist-watch.ts).
  const blocklisted = new Gauge({ name: 'ferry_ip_blocklisted', help: 'Sending IP listed in a DNSBL zone (1) or not (0), as last seen by the blocklist watch', labelNames: ['ip', 'zone'], registers });
  const stateLatency = new Histogram({ name: 'ferry_state_store_seconds', help: 'State store call latency', labelNames: ['op', 'result'], buckets: LATENCY_BUCKETS, registers });
  // Registered before the per-path gauges: its synchronous collect refreshes them, and prom-client
  // starts each metric's collect in registration order.
  new Gauge({
    name: 'ferry_queue_paths', help: 'Ready queues (egress paths) alive', registers,
    collect() {
      const samples = sources.egressPaths?.() ?? [];
      depth.reset();
      oldest.reset();
      connections.reset();
      const oldestByPath = new Map<string, { labels: { egress_ip: string; site: string }; seconds: number }>();
      for (const p of samples) {
        const labels = { egress_ip: p.ip, site: sites.label(p.site) };
        depth.inc(labels, p.depth);
        connections.inc(labels, p.activeConnections);
        const key = `${labels.egress_ip}|${labels.site}`;
        const seconds = Math.max(oldestByPath.get(key)?.seconds ?? 0, p.oldestAgeMs / 1000);
        oldestByPath.set(key, { labels, seconds });
      }
      for (const { labels, seconds } of oldestByPath.values()) oldest.set(labels, seconds);
      this.set(samples.length);
    },
  });

  const depth = new Gauge({ name: 'ferry_queue_depth', help: 'Deliveries waiting per egress path', labelNames: ['egress_ip', 'site'], registers });
  const oldest = new Gauge({ name: 'ferry_queue_oldest_age_seconds', help: 'Age of the oldest waiting message per egress path', labelNames: ['egress_ip', 'site'], registers });
  const connections = new Gauge({ name: 'ferry_queue_connections', help: 'Open connections per egress path', labelNames: ['egress_ip', 'site'], registers });
  // prom-client collects every metric of a scrape concurrently: gauges fed by one async source
  // share one read per scrape (scrapeOnce) and each sets only itself.
  const spoolStats = scrapeOnce(async () => sources.spool?.());
  const creditRows = scrapeOnce(async () => sources.credits?.());
  new Gauge({
    name: 'ferry_spool_deliveries', help: 'Deliveries in the spool by state', labelNames: ['state'], registers,
    async collect() {
      const stats = await spoolStats();
      if (!stats) return;
      this.set({ state: 'scheduled' }, stats.scheduled);
      this.set({ state: 'active' }, stats.active);
      this.set({ state: 'held' }, stats.held ?? 0);
    },
  });
  new Gauge({
    name: 'ferry_spool_messages', help: 'Messages in the spool', registers,
    async collect() {
      const stats = await spoolStats();
      if (stats) this.set(stats.messages);
    },
  });
  new Gauge({
    name: 'ferry_spool_oldest_age_seconds', help: 'Age of the oldest message in the spool', registers,
    async collect() {
      const stats = await spoolStats();
      if (stats) this.set(stats.oldestReceivedAt === undefined ? 0 : Math.max(0, now() - stats.oldestReceivedAt) / 1000);
    },
  });
  new Gauge({
    name: 'ferry_credits_available', help: 'Credits available per tenant (balance minus reservations)', labelNames: ['tenant'], registers,
    async collect() {
      const rows = await creditRows();
      if (!rows) return;
      this.reset();
      for (const row of rows) this.set({ tenant: tenants.label(row.tenantId) }, row.available);
    },
  });

  function record(r: OutcomeRecord): void {
    const tenant = tenants.label(r.tenantId);
    const attempt = 'deliveryId' in r ? r : undefined;
    const site = sites.label(attempt?.site);
    const egressIp = attempt?.egressIp ?? 'none';
    const cls = r.type === 'Bounce' ? (r.bounceClass ?? 'unclassified') : r.type === 'Rejection' ? r.stage : attempt?.reply ? String(attempt.reply.code) : 'none';
    outcomes.inc({ type: r.type, tenant, egress_ip: egressIp, site, class: cls });
    if (!attempt) return;
    recipients.inc({ type: r.type, tenant, egress_ip: egressIp, site }, attempt.recipients.length);
    const acceptedAt = r.type === 'Delivery' && r.messageId ? messageIdTime(r.messageId) : undefined;
    if (acceptedAt !== undefined) deliveredLatency.observe({ site }, Math.max(0, r.at - acceptedAt) / 1000);
  }

  return {
    registry,
    sources,
    records(records: readonly OutcomeRecord[]): void {
      for (const r of records) record(r);
    },
    /** The IngressObserver feed (src/ingress): sessions and every reply code. */
    ingress: {
      sessionOpened(): void {
        sessions.inc();
        sessionsOpen.inc();
      },
      sessionClosed(): void {
        sessionsOpen.dec();
      },
      replied(code: number, text: string, sinceConnectMs: number): void {
        replies.inc({ code: String(code) });
        if (code === 250 && /queued as/i.test(text)) acceptLatency.observe(sinceConnectMs / 1000);
      },
    },
    /** The blocklist watch feed (src/egress): every inventory IP × zone, replacing the previous set. */
    egress: {
      blocklisted(samples: readonly { ip: string; zone: string; listed: boolean }[]): void {
        blocklisted.reset();
        for (const sample of samples) blocklisted.set({ ip: sample.ip, zone: sample.zone }, sample.listed ? 1 : 0);
      },
    },
    stateCall(op: string, seconds: number, ok: boolean): void {
      stateLatency.observe({ op, result: ok ? 'ok' : 'error' }, seconds);
    },
  };
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** GET /metrics → the registry in the Prometheus text format; anything else 404. */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${(error as Error).message}\n`),
    );
  });
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
