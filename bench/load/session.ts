/**
 * The SMTP dialogue of the bench load source: open a session (greeting, EHLO, optional STARTTLS,
 * AUTH PLAIN once) and send messages on it, pipelining MAIL/RCPT/DATA when the server allows.
 * Exports: `openSession`, `sendMessage`, `Session`, `SendResult`, `SessionError`.
 * Invariants: accept latency runs from handing the DATA terminator to the kernel (header and body
 * already flushed, so it excludes the body's transfer) to the final reply;
 * a transaction that failed after MAIL was accepted is RSET so the session can carry on.
 */
import { SmtpConnection } from './connection.ts';
import { DATA_TERMINATOR, type BenchMessage } from './message.ts';
import type { LoadOptions } from './options.ts';
import { parseEhloKeywords, replyText, type SmtpReply } from './reply-parser.ts';

export interface Session {
  readonly connection: SmtpConnection;
  readonly pipelining: boolean;
  sent: number;
}

export type SendResult =
  | { readonly ok: true; readonly latencyMs: number; readonly reply: SmtpReply }
  | { readonly ok: false; readonly key: string; readonly text: string; readonly fatal: boolean };

/** Session setup failed: `key` is the reply code (or a client-side cause) to count it under. */
export class SessionError extends Error {
  override name = 'SessionError';
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

const COMMAND_TIMEOUT_MS = 60_000;

async function expect(conn: SmtpConnection, stage: string, ok: (code: number) => boolean): Promise<SmtpReply> {
  const reply = await conn.read();
  if (!ok(reply.code)) throw new SessionError(String(reply.code), `${stage}: ${replyText(reply)}`);
  return reply;
}

async function ehlo(conn: SmtpConnection, name: string): Promise<Set<string>> {
  conn.write(`EHLO ${name}\r\n`);
  return parseEhloKeywords(await expect(conn, 'EHLO', (c) => c === 250));
}

async function handshake(conn: SmtpConnection, opts: LoadOptions): Promise<Set<string>> {
  await expect(conn, 'greeting', (c) => c === 220);
  let keywords = await ehlo(conn, opts.ehlo);
  if (opts.tls === 'starttls') {
    if (!keywords.has('STARTTLS')) throw new SessionError('no-starttls', 'server does not advertise STARTTLS');
    conn.write('STARTTLS\r\n');
    await expect(conn, 'STARTTLS', (c) => c === 220);
    await conn.upgradeToTls(opts.servername, COMMAND_TIMEOUT_MS);
    keywords = await ehlo(conn, opts.ehlo);
  }
  if (opts.auth) {
    const token = Buffer.from(`\0${opts.auth.user}\0${opts.auth.pass}`, 'utf8').toString('base64');
    conn.write(`AUTH PLAIN ${token}\r\n`);
    await expect(conn, 'AUTH', (c) => c === 235);
  }
  return keywords;
}

export async function openSession(opts: LoadOptions): Promise<Session> {
  let conn: SmtpConnection;
  try {
    conn = await SmtpConnection.connect({
      host: opts.host,
      port: opts.port,
      implicitTls: opts.tls === 'implicit',
      servername: opts.servername,
      timeoutMs: COMMAND_TIMEOUT_MS,
    });
  } catch (err) {
    throw new SessionError('connect', `connect ${opts.host}:${opts.port}: ${(err as Error).message}`);
  }
  try {
    const keywords = await handshake(conn, opts);
    return { connection: conn, pipelining: opts.pipelining && keywords.has('PIPELINING'), sent: 0 };
  } catch (err) {
    conn.destroy();
    if (err instanceof SessionError) throw err;
    throw new SessionError('session', (err as Error).message);
  }
}

interface EnvelopeReplies {
  readonly mail: SmtpReply;
  readonly rcpts: SmtpReply[];
  readonly data: SmtpReply | null;
}

async function sendEnvelope(session: Session, from: string, msg: BenchMessage): Promise<EnvelopeReplies> {
  const conn = session.connection;
  const mailCmd = `MAIL FROM:<${from}>\r\n`;
  const rcptCmds = msg.recipients.map((r) => `RCPT TO:<${r}>\r\n`);
  if (session.pipelining) {
    conn.write(mailCmd + rcptCmds.join('') + 'DATA\r\n');
    const mail = await conn.read();
    const rcpts: SmtpReply[] = [];
    for (let i = 0; i < rcptCmds.length; i++) rcpts.push(await conn.read());
    return { mail, rcpts, data: await conn.read() };
  }
  conn.write(mailCmd);
  const mail = await conn.read();
  if (mail.code !== 250) return { mail, rcpts: [], data: null };
  const rcpts: SmtpReply[] = [];
  for (const cmd of rcptCmds) {
    conn.write(cmd);
    rcpts.push(await conn.read());
  }
  if (!rcpts.some((r) => r.code === 250 || r.code === 251)) return { mail, rcpts, data: null };
  conn.write('DATA\r\n');
  return { mail, rcpts, data: await conn.read() };
}

type SendFailure = Extract<SendResult, { ok: false }>;

const failure = (reply: SmtpReply): SendFailure => ({
  ok: false,
  key: String(reply.code),
  text: replyText(reply),
  fatal: reply.code === 421 || reply.code === 0,
});

async function abandon(session: Session, env: EnvelopeReplies): Promise<void> {
  const conn = session.connection;
  if (env.data?.code === 354) {
    conn.write('.\r\n'); // no recipient was accepted: close the empty DATA
    await conn.read();
  }
  if (env.mail.code === 250) {
    conn.write('RSET\r\n');
    await conn.read();
  }
}

/** One transaction. Socket failures reject; SMTP refusals resolve to `{ ok: false }`. */
export async function sendMessage(session: Session, from: string, msg: BenchMessage): Promise<SendResult> {
  const env = await sendEnvelope(session, from, msg);
  session.sent++;
  const accepted = env.rcpts.some((r) => r.code === 250 || r.code === 251);
  if (env.mail.code !== 250 || !accepted || env.data?.code !== 354) {
    const refusal = env.mail.code !== 250 ? env.mail : (env.rcpts.find((r) => r.code >= 400) ?? env.data ?? env.mail);
    const result = failure(refusal);
    if (!result.fatal) await abandon(session, env);
    return result;
  }
  const conn = session.connection;
  await conn.writeAllFlushed([msg.header, msg.body]);
  // Stamp before the write: on loopback the peer may answer inside the write() call itself.
  const sentAt = performance.now();
  conn.write(DATA_TERMINATOR);
  const final = await conn.read();
  const latencyMs = performance.now() - sentAt;
  return final.code === 250 ? { ok: true, latencyMs, reply: final } : failure(final);
}
