/**
 * smtp-server, with every reply passing one chokepoint (FerrySmtpConnection.send):
 *  - replies our handlers build (`<enhanced> <text>`, see replies.ts) go out as they are;
 *  - smtp-server's own refusals (530, 535, 538, 552, 421 on shutdown / too many clients) are
 *    rewritten to the reply table's codes and texts (smtpReplyFor), others keep smtp-server's
 *    RFC 3463 enhanced code;
 *  - EHLO does not advertise AUTH before TLS (smtp-server would; it refuses it with 538 anyway);
 *  - replies written in one tick (a pipelined MAIL / RCPT / DATA group) leave in ONE socket write
 *    (one TLS record, one syscall): the socket is corked at the first and uncorked on the next
 *    tick. 220 (greeting, STARTTLS go-ahead: the upgrade wraps the socket right after it) and 421
 *    (closing) flush what is corked and go out at once. The bytes and their order do not change.
 * Exports FerrySmtpServer and toSmtpError (a reply as the Error smtp-server handlers return).
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import { refuse, tempfail, type SmtpReply } from '../domain/index.ts';
import { formatReply, SHUTTING_DOWN_REPLY, smtpReplyFor } from './replies.ts';
import type { IngressObserver } from './observer.ts';

const ENHANCED_PREFIX = /^[245]\.\d{1,3}\.\d{1,3} /;

/** The table's reply for one of smtp-server's own replies, when the table has a row for it. */
function tableReplyForLibrary(code: number, text: string, maxSize: number | undefined): SmtpReply | undefined {
  switch (code) {
    case 530:
      return smtpReplyFor(refuse('auth.required'));
    case 535:
      return smtpReplyFor(refuse('auth.failed'));
    case 538:
      return smtpReplyFor(refuse('auth.tls-required'));
    case 552:
      return smtpReplyFor(refuse('message.too-large', maxSize ? `Message exceeds the maximum size of ${maxSize} bytes` : undefined));
    case 421:
      if (/shutting down/i.test(text)) return SHUTTING_DOWN_REPLY;
      if (/too many connected clients/i.test(text)) {
        return smtpReplyFor(tempfail('connection.limit', 'Too many connections to this server, try again later'), { closing: true });
      }
      return undefined;
    default:
      return undefined;
  }
}

class FerrySmtpConnection extends SMTPConnection {
  readonly openedAt = Date.now();
  /** The socket corked by #batchReplies until the next tick, if any. */
  #corked: Socket | TLSSocket | undefined;

  #flushReplies(): void {
    const socket = this.#corked;
    this.#corked = undefined;
    socket?.uncork();
  }

  /** Corks the socket for the rest of this tick, so this reply and the ones after it share a write. */
  #batchReplies(code: number): void {
    const socket = this._socket;
    if (code === 220 || code === 421 || this._upgrading || socket.destroyed) {
      this.#flushReplies();
      return;
    }
    if (this.#corked === socket) return;
    this.#flushReplies();
    socket.cork();
    this.#corked = socket;
    process.nextTick(() => this.#flushReplies());
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    (this._server as FerrySmtpServer).observer?.replied(code, Array.isArray(data) ? '' : (data ?? ''), Date.now() - this.openedAt);
    this.#batchReplies(code);
    if (Array.isArray(data)) {
      // The EHLO capability list: no AUTH on a cleartext channel (RFC 3207 §4.2 spirit, ARCHITECTURE §1.1).
      super.send(code, this.secure ? data : data.filter((line) => !/^AUTH\b/i.test(line)), context);
      return;
    }
    const text = data ?? '';
    if (ENHANCED_PREFIX.test(text)) {
      super.send(code, text, false);
      return;
    }
    const table = code >= 400 ? tableReplyForLibrary(code, text, this._server.options.size) : undefined;
    if (table) super.send(table.code, formatReply(table), false);
    else super.send(code, data, context);
  }
}

/** SMTPServer whose connections are FerrySmtpConnections (same wiring as SMTPServer.connect). */
export class FerrySmtpServer extends SMTPServer {
  /** Set once by startIngress; sees every session and reply. */
  observer: IngressObserver | undefined;

  override connect(socket: Socket | TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new FerrySmtpConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    if (this.observer) {
      const observer = this.observer;
      observer.sessionOpened();
      socket.once('close', () => observer.sessionClosed());
    }
    connection.init();
  }
}

export interface SmtpHandlerError extends Error {
  responseCode: number;
}

/** A reply as the Error an smtp-server handler callback takes: the text carries the enhanced code. */
export function toSmtpError(reply: SmtpReply): SmtpHandlerError {
  const error = new Error(formatReply(reply)) as SmtpHandlerError;
  error.responseCode = reply.code;
  return error;
}
