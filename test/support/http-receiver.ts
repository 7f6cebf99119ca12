/**
 * A real HTTP receiver for webhook tests: node:http on 127.0.0.1 (ephemeral port) that records
 * every request (method, path, headers, raw body, time) and answers 200. down() closes the
 * listening socket (connections are refused, like a dead endpoint); up() listens again on the
 * same port. Exports startHttpReceiver → HttpReceiver.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface HttpReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** `delayMs`: every answer waits this long (a slow endpoint keeps a request in flight). */
export async function startHttpReceiver(path = '/hook', delayMs = 0): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  let server: Server | undefined;
  let port = 0;

  async function listen(): Promise<void> {
    const next = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        const answer = () => response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        if (delayMs > 0) setTimeout(answer, delayMs);
        else answer();
      });
    });
    next.keepAliveTimeout = 500;
    next.listen(port, '127.0.0.1');
    await once(next, 'listening');
    port = (next.address() as AddressInfo).port;
    server = next;
  }

  async function close(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();
  return { url: `http://127.0.0.1:${port}${path}`, requests, down: close, up: listen, stop: close };
}
