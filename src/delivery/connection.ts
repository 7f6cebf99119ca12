/**
 * One outbound SMTP session on an egress path, over nodemailer's SMTPConnection: bound to the
 * sending IP (localAddress), EHLO with its helo, STARTTLS when offered (or required → fails
 * without it), timeouts at every stage. Exports openSession (MX fallback: tries each host's
 * addresses in order until one greets) and SmtpSession.send → one reply per recipient.
 * Invariant: send never throws; a broken session reports `usable: false` and every recipient
 * not yet answered gets a local 4.4.x reply, so the caller always has a result per recipient.
 * A message and its final `.` leave in one socket write (batchMessageWrites).
 */
import { isIP, type Socket } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { RemoteReply } from '../domain/index.ts';
import type { RouteHost } from './routing-types.ts';
import { localReply, parseSmtpReply } from './smtp-reply.ts';

export interface SessionTimeouts {
  readonly connectMs: number;
  readonly greetingMs: number;
  readonly commandMs: number;
  readonly dataMs: number;
}

export interface SessionOptions {
  readonly hosts: readonly RouteHost[];
  readonly localAddress: string;
  readonly helo: string;
  readonly tls: 'opportunistic' | 'required';
  readonly timeouts: SessionTimeouts;
}

export interface RecipientReply {
  readonly recipient: string;
  readonly reply: RemoteReply;
}

export interface SendResult {
  readonly replies: readonly RecipientReply[];
  /** False when the session broke (the caller must not reuse it). */
  readonly usable: boolean;
  /** True when abort() cut the transaction: its outcome is unknown and must not be settled. */
  readonly aborted?: boolean;
}

export interface SmtpSession {
  readonly mxHost: string;
  readonly remoteAddress: string;
  readonly secure: boolean;
  readonly messagesSent: number;
  readonly closed: boolean;
  send(mailFrom: string, recipients: readonly string[], body: Buffer): Promise<SendResult>;
  /**
   * Readies the session for the next transaction; false when it is no longer usable. RSET goes
   * out only when the last transaction did not end with the final DATA reply (after a 2xx/5xx to
   * the end of data the server is back in its initial state, RFC 5321 §4.1.4): a round trip
   * saved per message on a reused session.
   */
  reset(): Promise<boolean>;
  /**
   * Sends QUIT and resolves once the connection has really ended (at most QUIT_WAIT_MS, then it is
   * dropped): a replacement session opened after it never overlaps it at the receiver.
   */
  quit(): Promise<void>;
  /**
   * Drops the connection at once, without QUIT (a hung server would never answer it): a send in
   * flight resolves with `aborted: true`. Used by a stopping engine whose grace period ran out.
   */
  abort(): void;
}

/** How long a QUIT may take before the socket is dropped. */
const QUIT_WAIT_MS = 5_000;

export class ConnectFailure extends Error {
  readonly reply: RemoteReply;
  readonly mxHost: string | undefined;
  constructor(message: string, reply: RemoteReply, mxHost: string | undefined) {
    super(message);
    this.name = 'ConnectFailure';
    this.reply = reply;
    this.mxHost = mxHost;
  }
}

type NodemailerError = Error & { code?: string; response?: string; responseCode?: number; recipient?: string; rejectedErrors?: NodemailerError[] };

function errorReply(error: NodemailerError, fallbackText: string): RemoteReply {
  const parsed = error.response ? parseSmtpReply(error.response) : undefined;
  return parsed ?? localReply(451, '4.4.2', `${fallbackText}: ${error.message}`);
}

function connectOne(host: RouteHost, address: string, options: SessionOptions): Promise<SMTPConnection> {
  const { timeouts } = options;
  const connection = new SMTPConnection({
    host: address,
    port: host.port,
    name: options.helo,
    localAddress: options.localAddress,
    secure: false,
    connectionTimeout: timeouts.connectMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.commandMs,
    // Opportunistic TLS cannot verify MX certificates (no DANE/MTA-STS yet): encrypt, don't verify.
    tls: { rejectUnauthorized: false },
    ...(isIP(host.host) === 0 && { servername: host.host }),
    ...(options.tls === 'required' ? { requireTLS: true } : { opportunisticTLS: true }),
    logger: false,
  } as ConstructorParameters<typeof SMTPConnection>[0]);
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      connection.close();
      reject(error);
    };
    connection.once('error', onError);
    connection.connect((error) => {
      // A server closing before its greeting is reported here, not as 'error'.
      if (error) return onError(error);
      connection.removeListener('error', onError);
      // Later socket errors surface through send()/reset(); an unhandled 'error' must not crash us.
      connection.on('error', () => undefined);
      resolve(connection);
    });
  });
}

/** Connects to the first host/address that greets and completes EHLO (and STARTTLS when required). */
export async function openSession(options: SessionOptions): Promise<SmtpSession> {
  let last: ConnectFailure | undefined;
  for (const host of options.hosts) {
    for (const address of host.addresses) {
      try {
        const connection = await connectOne(host, address, options);
        return wrapSession(connection, host.host, address, options.timeouts);
      } catch (error) {
        const remote = errorReply(error as NodemailerError, `connection to ${host.host} [${address}] failed`);
        // Failing to set up a session is never a verdict on the recipients: always transient.
        const reply = remote.code >= 400 && remote.code < 500 ? remote : localReply(451, '4.4.1', `${host.host} [${address}] answered ${remote.code} ${remote.text}`);
        last = new ConnectFailure(`connection to ${host.host} [${address}]:${host.port} failed: ${(error as Error).message}`, reply, host.host);
      }
    }
  }
  throw last ?? new ConnectFailure('no host to connect to', localReply(451, '4.4.4', 'no host to connect to'), undefined);
}

function rejectedReplies(rejectedErrors: readonly NodemailerError[] | undefined): Map<string, RemoteReply> {
  const perRecipient = new Map<string, RemoteReply>();
  for (const rejected of rejectedErrors ?? []) {
    if (rejected.recipient) perRecipient.set(rejected.recipient, errorReply(rejected, 'recipient refused'));
  }
  return perRecipient;
}

function repliesFromError(error: NodemailerError, recipients: readonly string[]): SendResult {
  const perRecipient = rejectedReplies(error.rejectedErrors);
  const broken = error.code === 'ECONNECTION' || error.code === 'ETIMEDOUT' || error.code === 'ESOCKET' || !error.response;
  const common = errorReply(error, 'session failed');
  return {
    replies: recipients.map((recipient) => ({ recipient, reply: perRecipient.get(recipient) ?? common })),
    usable: !broken && (error.responseCode ?? 0) !== 421,
  };
}

/**
 * nodemailer pipes each message through its dot-stuffing stream into the socket: the message is
 * written at once, the final `.` a tick later (the stream's flush). The socket is corked when
 * that pipe starts and uncorked when the stream ends (a few ticks later, no extra event-loop
 * turn), so both leave in one syscall and segment instead of two. setImmediate uncorks anyway:
 * a message larger than the socket's buffer pauses the pipe until 'drain', which a corked socket
 * would never emit. Same bytes, same order; end() (QUIT, close) flushes a corked socket as well.
 */
function batchMessageWrites(socket: Socket): void {
  socket.on('pipe', (source: NodeJS.ReadableStream) => {
    let corked = true;
    const uncork = () => {
      if (!corked) return;
      corked = false;
      socket.uncork();
    };
    socket.cork();
    source.once('end', uncork);
    setImmediate(uncork);
  });
}

function wrapSession(connection: SMTPConnection, mxHost: string, remoteAddress: string, timeouts: SessionTimeouts): SmtpSession {
  // After connect (and STARTTLS) this is the socket every command and message goes through.
  if (connection._socket) batchMessageWrites(connection._socket);
  let sent = 0;
  let closed = false;
  let clean = true;
  /** Ends the send in flight with `aborted: true` (set while a send runs). */
  let abortSend: (() => void) | undefined;
  const ended = new Promise<void>((resolve) =>
    connection.once('end', () => {
      closed = true;
      resolve();
    }),
  );
  const session: SmtpSession = {
    mxHost,
    remoteAddress,
    get secure() {
      return Boolean((connection as unknown as { secure?: boolean }).secure);
    },
    get messagesSent() {
      return sent;
    },
    get closed() {
      return closed;
    },
    send(mailFrom, recipients, body) {
      sent++;
      clean = false;
      return new Promise<SendResult>((resolve) => {
        // The whole transaction is bounded by the data timeout; the socket timeout bounds each command.
        const cut = (text: string, aborted: boolean) => {
          clearTimeout(timer);
          abortSend = undefined;
          closed = true;
          connection.close();
          const reply = localReply(451, '4.4.2', text);
          resolve({ replies: recipients.map((recipient) => ({ recipient, reply })), usable: false, aborted });
        };
        const timer = setTimeout(() => cut(`no answer within ${timeouts.dataMs} ms`, false), timeouts.dataMs);
        abortSend = () => cut('session cut by a local shutdown', true);
        connection.send({ from: mailFrom, to: [...recipients] }, body, (error, info) => {
          clearTimeout(timer);
          abortSend = undefined;
          if (error) return resolve(repliesFromError(error as NodemailerError, recipients));
          clean = true;
          const accepted = parseSmtpReply(info.response) ?? localReply(250, '2.0.0', info.response);
          const perRecipient = rejectedReplies((info as { rejectedErrors?: NodemailerError[] }).rejectedErrors);
          resolve({ replies: recipients.map((recipient) => ({ recipient, reply: perRecipient.get(recipient) ?? accepted })), usable: !closed });
        });
      });
    },
    reset() {
      if (closed) return Promise.resolve(false);
      if (clean) return Promise.resolve(true);
      return new Promise<boolean>((resolve) =>
        connection.reset((error) => {
          clean = !error && !closed;
          resolve(clean);
        }),
      );
    },
    async quit() {
      if (!closed) {
        closed = true;
        connection.quit();
      }
      const timer = setTimeout(() => connection.close(), QUIT_WAIT_MS);
      await ended;
      clearTimeout(timer);
    },
    abort() {
      if (abortSend) return abortSend();
      closed = true;
      connection.close();
    },
  };
  return session;
}
