/**
 * A misbehaving SMTP receiver for timeout and shutdown tests: a plain TCP server on a loopback
 * address (port 0) that speaks just enough SMTP (no extensions, so no pipelining or STARTTLS)
 * and goes silent at one chosen stage — before the banner, after MAIL, after RCPT, or at the end
 * of DATA — while keeping the socket open. Exports startStallingSmtp(options) → StallingSmtp,
 * which counts connections, open sockets and completed messages, and can release its stalls.
 */
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';

/** Where the receiver goes silent; 'hang-up' closes each connection at once, before any banner. */
export type StallStage = 'banner' | 'mail' | 'rcpt' | 'data-end' | 'none' | 'hang-up';

export interface StallingSmtpOptions {
  readonly host: string;
  readonly stallAt: StallStage;
  /** Default 0 (ephemeral); 25 for MX tests. */
  readonly port?: number;
}

export interface StallingSmtp {
  readonly host: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Sockets still open. */
  readonly open: number;
  /** Transactions that reached the end of DATA (stalled or answered). */
  readonly messagesReceived: number;
  /** Ends the stall: stalled replies go out now (250) and later stages answer normally. */
  release(): void;
  /** Resolves once `open` is 0 (every socket closed), rejects after `timeoutMs`. */
  waitAllClosed(timeoutMs: number): Promise<void>;
  /** Resolves once `count` connections were accepted, rejects after `timeoutMs`. */
  waitConnections(count: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

interface Stall {
  stalled(stage: StallStage, pendingReply: string): boolean;
  /** True while this socket hangs (input is read and dropped). */
  readonly frozen: boolean;
}

function speak(socket: Socket, stall: Stall, onMessage: () => void): void {
  let buffer = '';
  let inData = false;
  const reply = (line: string) => void (socket.writable && socket.write(`${line}\r\n`));
  const unless = (stage: StallStage, line: string) => stall.stalled(stage, line) || reply(line);
  unless('banner', '220 stall.test ESMTP');
  socket.on('data', (chunk: Buffer) => {
    if (stall.frozen) return;
    buffer += chunk.toString('latin1');
    for (;;) {
      if (stall.frozen) return;
      if (inData) {
        const end = buffer.indexOf('\r\n.\r\n');
        if (end < 0) return;
        buffer = buffer.slice(end + 5);
        inData = false;
        onMessage();
        unless('data-end', '250 2.0.0 queued');
        continue;
      }
      const eol = buffer.indexOf('\r\n');
      if (eol < 0) return;
      const verb = buffer.slice(0, eol).split(' ')[0]?.toUpperCase() ?? '';
      buffer = buffer.slice(eol + 2);
      if (verb === 'EHLO' || verb === 'HELO') reply('250 stall.test');
      else if (verb === 'MAIL') unless('mail', '250 2.1.0 ok');
      else if (verb === 'RCPT') unless('rcpt', '250 2.1.5 ok');
      else if (verb === 'DATA') {
        inData = true;
        reply('354 go ahead');
      } else if (verb === 'RSET' || verb === 'NOOP') reply('250 2.0.0 ok');
      else if (verb === 'QUIT') {
        reply('221 2.0.0 bye');
        socket.end();
      } else reply('502 5.5.2 not implemented');
    }
  });
}

function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`${what} not reached within ${timeoutMs} ms`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

export async function startStallingSmtp(options: StallingSmtpOptions): Promise<StallingSmtp> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let messagesReceived = 0;
  let released = false;
  /** Replies held back by a stall, sent on release(). */
  const held: (() => void)[] = [];
  /** Sockets past their stall: like a hung server, they ignore every later command until release(). */
  const frozen = new Set<Socket>();
  const stall = (socket: Socket): Stall => ({
    stalled(stage, pendingReply) {
      if (released || stage !== options.stallAt) return false;
      held.push(() => void (socket.writable && socket.write(`${pendingReply}\r\n`)));
      frozen.add(socket);
      return true;
    },
    get frozen() {
      return !released && frozen.has(socket);
    },
  });
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    if (options.stallAt === 'hang-up') return void socket.destroy();
    speak(socket, stall(socket), () => messagesReceived++);
  });
  server.listen(options.port ?? 0, options.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    host: options.host,
    port,
    get connections() {
      return connections;
    },
    get open() {
      return sockets.size;
    },
    get messagesReceived() {
      return messagesReceived;
    },
    release() {
      released = true;
      frozen.clear();
      for (const send of held.splice(0)) send();
    },
    waitAllClosed: (timeoutMs) => waitFor(() => sockets.size === 0, timeoutMs, 'all sockets closed'),
    waitConnections: (count, timeoutMs) => waitFor(() => connections >= count, timeoutMs, `${count} connections`),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
