/**
 * One DNS question to one server: UDP with a fresh socket and random id, retried over TCP when the answer
 * is truncated. Exports `queryServer`, `parseServer` and `NameServer`. Invariants: every call settles by
 * `timeoutMs` (AbortSignal.timeout); a response counts only if its id and question match ours; sockets are
 * always closed. Failures are values (`timeout` / `error`), never thrown, so the caller can try the next server.
 */
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { randomInt } from 'node:crypto';
import * as packet from 'dns-packet';
import { ErrorCodes, FerryError } from '../domain/index.ts';

export interface NameServer {
  readonly host: string;
  readonly port: number;
}

export type QueryType = 'MX' | 'A' | 'AAAA' | 'TXT';

export type ServerAnswer =
  | { readonly kind: 'response'; readonly response: packet.DecodedPacket & { readonly rcode?: string } }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly error: unknown };

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353` → host + port (53 by default). Names are refused. */
export function parseServer(text: string): NameServer {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  let host = trimmed;
  let port = '53';
  if (bracketed) {
    host = bracketed[1] as string;
    port = bracketed[2] ?? '53';
  } else if (isIP(trimmed) !== 6 && trimmed.includes(':')) {
    const at = trimmed.lastIndexOf(':');
    host = trimmed.slice(0, at);
    port = trimmed.slice(at + 1);
  }
  const portNumber = Number(port);
  if (isIP(host) === 0 || !Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new FerryError(ErrorCodes.DNS, `invalid DNS server "${text}" (expected an IP address, optionally with :port)`);
  }
  return { host, port: portNumber };
}

function encodeQuery(id: number, name: string, type: QueryType): packet.Packet {
  return { type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] };
}

function matches(response: packet.DecodedPacket, id: number, name: string, type: QueryType): boolean {
  const question = response.questions?.[0];
  return response.id === id && question !== undefined && question.type === type && question.name.toLowerCase() === name.toLowerCase();
}

function udpQuery(server: NameServer, id: number, wire: Buffer, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    let settled = false;
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.close();
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => finish(() => reject(error)));
    socket.on('message', (message: Buffer) => {
      // Answers with another id are ignored (spoofing / late answers); the timeout bounds the wait.
      if (message.length >= 2 && message.readUInt16BE(0) === id) finish(() => resolve(message));
    });
    // A connected socket only accepts datagrams from the server, and an ICMP "port unreachable"
    // surfaces as an 'error' (ECONNREFUSED), so a dead server fails fast instead of timing out.
    socket.connect(server.port, server.host, (error?: Error) => {
      if (error) finish(() => reject(error));
      else if (!settled) socket.send(wire);
    });
  });
}

function tcpQuery(server: NameServer, framed: Buffer, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port, signal });
    let buffered = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(framed));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        socket.destroy();
        resolve(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
      }
    });
    socket.on('close', () => reject(new Error('DNS TCP connection closed before a full answer')));
  });
}

/** Asks `server` once (UDP, then TCP if truncated), within `timeoutMs` overall. */
export async function queryServer(server: NameServer, name: string, type: QueryType, timeoutMs: number): Promise<ServerAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const id = randomInt(0, 65536);
  const query = encodeQuery(id, name, type);
  try {
    // Encoding throws on a malformed name (a label over 63 octets): that is an error value too.
    let response = packet.decode(await udpQuery(server, id, packet.encode(query), signal));
    if (response.flag_tc) response = packet.decode(await tcpQuery(server, packet.streamEncode(query), signal));
    if (!matches(response, id, name, type)) return { kind: 'error', error: new Error('DNS answer does not match the question') };
    return { kind: 'response', response };
  } catch (error) {
    if (signal.aborted) return { kind: 'timeout' };
    return { kind: 'error', error };
  }
}
