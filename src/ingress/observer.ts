/**
 * IngressObserver: the ingress's one extension point for watchers (metrics), a closed typed
 * interface wired in main.ts — no string events. Calls are synchronous and must not throw or
 * block: they run on the SMTP reply path. Every reply passes FerrySmtpConnection.send (server.ts).
 */
export interface IngressObserver {
  sessionOpened(): void;
  sessionClosed(): void;
  /** Every reply line sent; sinceConnectMs = ms since this client connected. */
  replied(code: number, text: string, sinceConnectMs: number): void;
}
