/**
 * One SMTP client socket for the bench load source: plain TCP or TLS (implicit, or upgraded in
 * place for STARTTLS), with replies read in order through `ReplyParser`.
 * Exports: `SmtpConnection` (connect / upgradeToTls / write / read / close / destroy).
 * Invariants: replies are handed out strictly in arrival order; once the socket fails or closes,
 * every pending and future `read()` rejects with that error. Certificates are NOT verified
 * (benchmarks talk to self-signed loopback servers only).
 */
import net from 'node:net';
import tls from 'node:tls';
import { ReplyParser, type SmtpReply } from './reply-parser.ts';

interface Waiter {
  resolve(reply: SmtpReply): void;
  reject(err: Error): void;
}

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly servername: string;
  readonly timeoutMs: number;
}

export class SmtpConnection {
  #socket: net.Socket;
  #parser = new ReplyParser();
  #ready: SmtpReply[] = [];
  #waiters: Waiter[] = [];
  #failure: Error | null = null;
  readonly #onData = (chunk: Buffer): void => this.#receive(chunk);

  private constructor(socket: net.Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#attach(socket, timeoutMs);
  }

  /** Opens the socket; resolves once TCP (and, for implicit TLS, the handshake) is done. */
  static async connect(target: ConnectTarget): Promise<SmtpConnection> {
    const socket = target.implicitTls
      ? tls.connect({ host: target.host, port: target.port, servername: target.servername, rejectUnauthorized: false })
      : net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      const ok = (): void => {
        socket.off('error', reject);
        socket.removeAllListeners('timeout');
        resolve();
      };
      socket.once(target.implicitTls ? 'secureConnect' : 'connect', ok);
      socket.once('error', reject);
      socket.setTimeout(target.timeoutMs, () => socket.destroy(new Error('connect timeout')));
    });
    return new SmtpConnection(socket, target.timeoutMs);
  }

  #attach(socket: net.Socket, timeoutMs: number): void {
    socket.on('data', this.#onData);
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => this.#fail(new Error('connection closed by server')));
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('reply timeout')));
  }

  #receive(chunk: Buffer): void {
    for (const reply of this.#parser.push(chunk)) {
      const waiter = this.#waiters.shift();
      if (waiter) waiter.resolve(reply);
      else this.#ready.push(reply);
    }
  }

  #fail(err: Error): void {
    if (this.#failure) return;
    this.#failure = err;
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  get failed(): boolean {
    return this.#failure !== null;
  }

  /** Next reply in order. */
  read(): Promise<SmtpReply> {
    const reply = this.#ready.shift();
    if (reply) return Promise.resolve(reply);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  /** Writes several chunks as one segment train (cork/uncork), e.g. header + shared body. */
  writeAll(chunks: ReadonlyArray<string | Buffer>): void {
    this.#socket.cork();
    for (const c of chunks) this.#socket.write(c);
    this.#socket.uncork();
  }

  /** Like writeAll, resolving once the last chunk has been handed to the kernel. */
  writeAllFlushed(chunks: ReadonlyArray<string | Buffer>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#socket.cork();
      chunks.forEach((c, i) => {
        if (i < chunks.length - 1) this.#socket.write(c);
        else this.#socket.write(c, (err) => (err ? reject(err) : resolve()));
      });
      this.#socket.uncork();
    });
  }

  /** STARTTLS: after the server's 220, run the TLS handshake over the same TCP socket. */
  async upgradeToTls(servername: string, timeoutMs: number): Promise<void> {
    if (this.#ready.length > 0 || this.#parser.midReply) throw new Error('data after STARTTLS reply (injection?)');
    const raw = this.#socket;
    raw.off('data', this.#onData);
    raw.setTimeout(0);
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', () => {}); // the TLS socket on top reports failures
    const secure = tls.connect({ socket: raw, servername, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => {
        secure.off('error', reject);
        resolve();
      });
      secure.once('error', reject);
    });
    secure.setNoDelay(true);
    this.#socket = secure;
    this.#attach(secure, timeoutMs);
  }

  /** Polite end: QUIT, wait for 221 briefly, then close. Never throws. */
  async close(): Promise<void> {
    if (this.#failure) return;
    try {
      this.write('QUIT\r\n');
      await Promise.race([this.read(), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      // the server may close first; that is fine
    }
    this.destroy();
  }

  destroy(err?: Error): void {
    this.#fail(err ?? new Error('connection closed by client'));
    this.#socket.destroy();
  }
}
