/**
 * The inbound listener (port 25 role): smtp-server without AUTH, STARTTLS offered with the node's
 * SMTP certificate, that accepts mail only for
 * addresses at the bounce domain whose VERP token verifies, the unsubscribe mailto address and
 * the configured feedback-loop addresses; size, connections per IP and messages per minute per
 * IP are capped. Exports startInboundListener → InboundListener { port, counters, stop }.
 * Each accepted email goes to the report handler; a store failure answers 451 (the sender
 * retries), a bad or forged report is accepted and dropped (counted), never bounced back.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../platform/index.ts';
import type { InboundCounters, ReportHandler, VerpSubject } from './reports.ts';

export interface InboundSettings {
  readonly host: string;
  readonly port: number;
  readonly hostname: string;
  readonly bounceDomain: string;
  readonly unsubscribeAddress: string;
  readonly feedbackAddresses: readonly string[];
  readonly maxMessageSize: number;
  readonly maxConnectionsPerIp: number;
  readonly messagesPerMinutePerIp: number;
  readonly socketTimeoutMs: number;
  /** Certificate and key for STARTTLS (the node's SMTP pair); absent → STARTTLS not offered. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export interface InboundListener {
  readonly port: number;
  readonly counters: InboundCounters & { refusedRecipients: number; throttled: number };
  stop(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Messages per IP in the current minute (a fixed window is enough against floods). */
class PerIpBudget {
  readonly #limit: number;
  #window = 0;
  #counts = new Map<string, number>();
  constructor(limit: number) {
    this.#limit = limit;
  }
  take(ip: string, now: number): boolean {
    const window = Math.floor(now / 60_000);
    if (window !== this.#window) {
      this.#window = window;
      this.#counts = new Map();
    }
    const count = (this.#counts.get(ip) ?? 0) + 1;
    this.#counts.set(ip, count);
    return count <= this.#limit;
  }
}

export async function startInboundListener(settings: InboundSettings, handler: ReportHandler, parseVerp: (a: string) => VerpSubject | undefined, log: Logger): Promise<InboundListener> {
  const counters = Object.assign(handler.counters, { refusedRecipients: 0, throttled: 0 });
  const feedback = new Set(settings.feedbackAddresses.map((a) => a.toLowerCase()));
  const connections = new Map<string, number>();
  const budget = new PerIpBudget(settings.messagesPerMinutePerIp);
  const accepts = (address: string): boolean => {
    const lower = address.toLowerCase();
    return feedback.has(lower) || lower === settings.unsubscribeAddress.toLowerCase() || parseVerp(address) !== undefined;
  };

  const server = new SMTPServer({
    name: settings.hostname, banner: 'Ferry feedback listener', logger: false,
    authOptional: true, size: settings.maxMessageSize,
    // Receivers that send DSNs and ARF reports prefer TLS (opportunistic, as on any port 25).
    ...(settings.tls ? { disabledCommands: ['AUTH'], cert: settings.tls.cert, key: settings.tls.key } : { disabledCommands: ['AUTH', 'STARTTLS'] }),
    maxClients: 1000, socketTimeout: settings.socketTimeoutMs, closeTimeout: 1000,
    onConnect(session, callback) {
      const open = (connections.get(session.remoteAddress) ?? 0) + 1;
      if (open > settings.maxConnectionsPerIp) return callback(smtpError(421, '4.7.0 Too many connections from your address'));
      connections.set(session.remoteAddress, open);
      (session as SMTPServerSession & { counted?: boolean }).counted = true;
      callback();
    },
    onClose(session) {
      if (!(session as SMTPServerSession & { counted?: boolean }).counted) return;
      const open = (connections.get(session.remoteAddress) ?? 1) - 1;
      if (open <= 0) connections.delete(session.remoteAddress);
      else connections.set(session.remoteAddress, open);
    },
    onMailFrom(_address, session, callback) {
      if (budget.take(session.remoteAddress, Date.now())) return callback();
      counters.throttled += 1;
      callback(smtpError(451, '4.7.1 Too many messages from your address, try again later'));
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (accepts(address.address)) return callback();
      counters.refusedRecipients += 1;
      callback(smtpError(550, '5.1.1 No such recipient here'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if ((stream as typeof stream & { sizeExceeded?: boolean }).sizeExceeded) return callback(smtpError(552, '5.3.4 Message too big'));
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        handler.handle(Buffer.concat(chunks), rcpts).then(
          (result) => {
            log.info({ result, rcpts, client: session.remoteAddress }, 'inbound report handled');
            callback();
          },
          (error: unknown) => {
            log.warn({ err: error }, 'inbound report not stored; the sender will retry');
            callback(smtpError(451, '4.3.0 Temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (error) => log.warn({ err: error }, 'inbound listener error'));
  server.listen(settings.port, settings.host);
  await once(server.server, 'listening');
  return {
    port: (server.server.address() as AddressInfo).port,
    counters,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
