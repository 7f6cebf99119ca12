/**
 * Routing contract: where mail for a recipient domain goes. Produced by routing.ts (static
 * routes, else MX lookup with the caching resolver, rolled up into sites), consumed by the
 * scheduler to pick the egress path (sending IP × site).
 */

export interface RouteHost {
  /** Host name (MX exchange or static route host). */
  readonly host: string;
  readonly port: number;
  /** Resolved addresses to connect to, in order. */
  readonly addresses: readonly string[];
  /** MX preference (lower first); 0 for static routes and A/AAAA fallback. */
  readonly preference: number;
}

export type Route =
  /** Deliver to these hosts in order; `site` rolls MX hosts of one provider into one name. */
  | { readonly kind: 'hosts'; readonly site: string; readonly hosts: readonly RouteHost[]; readonly tls: 'opportunistic' | 'required' }
  /** RFC 7505 null MX, or the domain does not exist: permanent failure. */
  | { readonly kind: 'undeliverable'; readonly reason: 'null-mx' | 'no-such-domain' | 'no-address'; readonly text: string }
  /** DNS failed temporarily (SERVFAIL, timeout): defer and retry. */
  | { readonly kind: 'temporary-failure'; readonly text: string };

export interface Router {
  route(domain: string): Promise<Route>;
}
