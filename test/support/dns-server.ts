/**
 * A real DNS server for tests: UDP + TCP on 127.0.0.1, one ephemeral port, zone given as data.
 *   const dns = await startDnsServer({ 'example.test': { MX: [{ preference: 10, exchange: 'mx.example.test' }] },
 *                                      'mx.example.test': { A: ['127.0.0.2'], ttl: 60 } });
 *   createResolver({ servers: [dns.hostPort], ... });  dns.queryCount('example.test', 'MX');  await dns.stop();
 * Names are case-insensitive, without trailing dot. A name not in the zone is NXDOMAIN; a name in the zone without
 * records of the asked type is NODATA. `behaviour`: 'servfail' | 'nxdomain' | 'timeout' (never answers) | 'truncate'
 * (UDP answers carry TC and no records, so clients must retry over TCP). Null MX: `MX: [{ preference: 0, exchange: '.' }]`.
 * Negative answers carry an SOA (TTL and minimum = options.soaMinimum) only when that option is set.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import * as packet from 'dns-packet';

export interface ZoneEntry {
  readonly MX?: readonly { readonly preference: number; readonly exchange: string }[];
  readonly A?: readonly string[];
  readonly AAAA?: readonly string[];
  readonly TXT?: readonly string[];
  /** This name is an alias: answers carry the CNAME and the target's records of the asked type. */
  readonly CNAME?: string;
  /** TTL in seconds of every record of this name (default 300). */
  readonly ttl?: number;
  readonly behaviour?: 'servfail' | 'nxdomain' | 'timeout' | 'truncate';
}

export type DnsZone = Readonly<Record<string, ZoneEntry>>;

export interface DnsServerOptions {
  /** When set, NXDOMAIN/NODATA answers carry an SOA whose TTL and minimum are this many seconds. */
  readonly soaMinimum?: number;
}

export interface TestDnsServer {
  readonly address: string;
  readonly port: number;
  /** `127.0.0.1:port`, the form `dns.servers` takes. */
  readonly hostPort: string;
  /** Queries received (UDP + TCP), optionally only those for one name and type. */
  queryCount(name?: string, type?: string): number;
  setZone(zone: DnsZone, options?: DnsServerOptions): void;
  stop(): Promise<void>;
}

const DEFAULT_TTL = 300;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function recordsOf(name: string, entry: ZoneEntry, type: string): packet.Answer[] {
  const ttl = entry.ttl ?? DEFAULT_TTL;
  switch (type) {
    case 'MX':
      return (entry.MX ?? []).map((mx) => ({ type: 'MX', name, ttl, data: { preference: mx.preference, exchange: mx.exchange } }));
    case 'A':
    case 'AAAA':
      return (entry[type] ?? []).map((address) => ({ type, name, ttl, data: address }));
    case 'TXT':
      // one record per string; a string over 255 bytes goes out as several character-strings, as real zones publish long DKIM keys
      return (entry.TXT ?? []).map((text) => ({ type: 'TXT', name, ttl, data: text.match(/[\s\S]{1,255}/g) ?? [''] }));
    default:
      return [];
  }
}

/** The answer to one question; `undefined` means "stay silent" (timeout behaviour). */
function answer(zone: Map<string, ZoneEntry>, options: DnsServerOptions, query: packet.DecodedPacket, overTcp: boolean) {
  const question = query.questions?.[0];
  const reply = (rcode: number, answers: packet.Answer[] = [], flags = 0): packet.Packet => ({
    type: 'response',
    id: query.id ?? 0,
    flags: packet.RECURSION_AVAILABLE | packet.RECURSION_DESIRED | flags | rcode,
    questions: question ? [question] : [],
    answers,
    authorities: rcode === RCODE.NXDOMAIN || (rcode === RCODE.NOERROR && answers.length === 0) ? negativeSoa(question?.name ?? '', options) : [],
  });
  if (!question) return reply(RCODE.SERVFAIL);
  const answers: packet.Answer[] = [];
  let name = normalise(question.name);
  for (let hops = 0; hops < 8; hops++) {
    const entry = zone.get(name);
    if (!entry || entry.behaviour === 'nxdomain') return hops === 0 ? reply(RCODE.NXDOMAIN) : reply(RCODE.NOERROR, answers);
    if (entry.behaviour === 'servfail') return reply(RCODE.SERVFAIL);
    if (entry.behaviour === 'timeout') return undefined;
    if (entry.behaviour === 'truncate' && !overTcp) return reply(RCODE.NOERROR, [], packet.TRUNCATED_RESPONSE);
    if (entry.CNAME === undefined || question.type === 'CNAME') return reply(RCODE.NOERROR, [...answers, ...recordsOf(name, entry, question.type)]);
    answers.push({ type: 'CNAME', name, ttl: entry.ttl ?? DEFAULT_TTL, data: entry.CNAME });
    name = normalise(entry.CNAME);
  }
  return reply(RCODE.SERVFAIL);
}

function negativeSoa(name: string, options: DnsServerOptions): packet.Answer[] {
  if (options.soaMinimum === undefined) return [];
  const ttl = options.soaMinimum;
  return [{ type: 'SOA', name: normalise(name) || '.', ttl, data: { mname: 'ns.test', rname: 'hostmaster.test', serial: 1, minimum: ttl } }];
}

async function listenUdp(): Promise<Socket> {
  const udp = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(0, '127.0.0.1', () => resolve());
  });
  return udp;
}

async function listenTcp(port: number): Promise<Server | undefined> {
  const tcp = createServer();
  return new Promise((resolve) => {
    tcp.once('error', () => resolve(undefined));
    tcp.listen(port, '127.0.0.1', () => resolve(tcp));
  });
}

/** UDP and TCP on the same port: bind UDP to port 0, then TCP to that port; retry if TCP's is taken. */
async function listenBoth(): Promise<{ udp: Socket; tcp: Server }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = await listenUdp();
    const tcp = await listenTcp(udp.address().port);
    if (tcp) return { udp, tcp };
    udp.close();
  }
  throw new Error('test DNS server: no port free for both UDP and TCP');
}

function serveTcpConnection(socket: TcpSocket, respond: (query: packet.DecodedPacket) => packet.Packet | undefined): void {
  let buffered = Buffer.alloc(0);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
      const length = buffered.readUInt16BE(0);
      const query = packet.decode(buffered.subarray(2, 2 + length));
      buffered = buffered.subarray(2 + length);
      const response = respond(query);
      if (response) socket.write(packet.streamEncode(response));
    }
  });
}

export async function startDnsServer(initialZone: DnsZone, initialOptions: DnsServerOptions = {}): Promise<TestDnsServer> {
  let zone = new Map<string, ZoneEntry>();
  let options = initialOptions;
  const counts = new Map<string, number>();
  const setZone = (next: DnsZone, nextOptions: DnsServerOptions = options) => {
    zone = new Map(Object.entries(next).map(([name, entry]) => [normalise(name), entry]));
    options = nextOptions;
  };
  setZone(initialZone);

  const respond = (query: packet.DecodedPacket, overTcp: boolean) => {
    const question = query.questions?.[0];
    const key = question ? `${normalise(question.name)} ${question.type}` : '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return answer(zone, options, query, overTcp);
  };

  const { udp, tcp } = await listenBoth();
  udp.on('message', (message: Buffer, peer: RemoteInfo) => {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(message);
    } catch {
      return;
    }
    const response = respond(query, false);
    if (response) udp.send(packet.encode(response), peer.port, peer.address);
  });
  const connections = new Set<TcpSocket>();
  tcp.on('connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveTcpConnection(socket, (query) => respond(query, true));
  });

  const port = udp.address().port;
  return {
    address: '127.0.0.1',
    port,
    hostPort: `127.0.0.1:${port}`,
    queryCount(name?: string, type?: string) {
      let total = 0;
      for (const [key, count] of counts) {
        const [queried, queriedType] = key.split(' ');
        if ((name === undefined || queried === normalise(name)) && (type === undefined || queriedType === type)) total += count;
      }
      return total;
    },
    setZone,
    async stop() {
      for (const socket of connections) socket.destroy();
      await Promise.all([new Promise<void>((resolve) => udp.close(() => resolve())), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
    },
  };
}
