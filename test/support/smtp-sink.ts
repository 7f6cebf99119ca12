/**
 * A real SMTP sink for delivery tests: an smtp-server on a loopback address (port 0 unless
 * given) that records every session (source address, HELO, TLS, start/end) and every message
 * (envelope, raw data, arrival time), counts concurrent sessions, and answers RCPT / DATA with
 * scripted replies. Exports startSmtpSink(options) → SmtpSink. STARTTLS uses smtp-server's
 * built-in self-signed certificate; `starttls: false` hides it.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

export interface ScriptedReply {
  readonly code: number;
  /** Text after the code, e.g. `5.1.1 no such user`. */
  readonly text: string;
}

export interface SinkSession {
  readonly id: string;
  readonly sourceAddress: string;
  helo: string;
  secure: boolean;
  readonly openedAt: number;
  closedAt?: number;
}

export interface SinkMessage {
  readonly sessionId: string;
  readonly sourceAddress: string;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly data: Buffer;
  readonly secure: boolean;
  readonly at: number;
}

export interface SinkOptions {
  readonly host: string;
  readonly port?: number;
  readonly starttls?: boolean;
  /** Reply to RCPT TO for this address; undefined accepts. */
  readonly rcpt?: (address: string) => ScriptedReply | undefined;
  /** Reply to the end of DATA; undefined accepts with 250. */
  readonly data?: (message: Omit<SinkMessage, 'at'>) => ScriptedReply | undefined;
  /** Holds every end-of-DATA reply this long (a send stays in flight), or as long as the function says for a source address; default 0. */
  readonly dataDelayMs?: number | ((sourceAddress: string) => number);
}

export interface SmtpSink {
  readonly host: string;
  readonly port: number;
  readonly messages: SinkMessage[];
  readonly sessions: SinkSession[];
  /** The most sessions open at the same moment. */
  readonly maxConcurrent: number;
  /** Resolves once `count` messages were accepted, rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

function scripted(reply: ScriptedReply): Error {
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}

export async function startSmtpSink(options: SinkOptions): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  const sessions = new Map<string, SinkSession>();
  let open = 0;
  let maxConcurrent = 0;
  const waiters = new Set<() => void>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: options.starttls === false ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    logger: false,
    size: 50 * 1024 * 1024,
    onConnect(session, callback) {
      open++;
      maxConcurrent = Math.max(maxConcurrent, open);
      sessions.set(session.id, { id: session.id, sourceAddress: session.remoteAddress, helo: '', secure: false, openedAt: Date.now() });
      callback();
    },
    onClose(session) {
      const entry = sessions.get(session.id);
      if (entry && entry.closedAt === undefined) {
        entry.closedAt = Date.now();
        open--;
      }
    },
    onMailFrom(_address, session, callback) {
      const entry = sessions.get(session.id);
      if (entry) {
        entry.helo = session.hostNameAppearsAs;
        entry.secure = session.secure;
      }
      callback();
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const reply = options.rcpt?.(address.address);
      callback(reply ? scripted(reply) : undefined);
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const envelope = session.envelope;
        const message = {
          sessionId: session.id,
          sourceAddress: session.remoteAddress,
          mailFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
          rcptTo: envelope.rcptTo.map((rcpt) => rcpt.address),
          data: Buffer.concat(chunks),
          secure: session.secure,
        };
        const reply = options.data?.(message);
        const answer = () => {
          if (reply) return callback(scripted(reply));
          messages.push({ ...message, at: Date.now() });
          for (const waiter of waiters) waiter();
          callback();
        };
        const delay = typeof options.dataDelayMs === 'function' ? options.dataDelayMs(session.remoteAddress) : (options.dataDelayMs ?? 0);
        if (delay > 0) setTimeout(answer, delay);
        else answer();
      });
    },
  });
  server.on('error', () => undefined);
  server.listen(options.port ?? 0, options.host);
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;

  return {
    host: options.host,
    port,
    messages,
    get sessions() {
      return [...sessions.values()];
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    waitForMessages(count, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`sink ${options.host}:${port}: ${messages.length} of ${count} messages after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
