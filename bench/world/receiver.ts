/**
 * One receiver of the simulated world: an smtp-server on one address that plays its site's rules —
 * per-source-IP rate (421 4.7.28, Gmail-like), connection cap per source IP (451 4.7.500 at the
 * banner, Microsoft-like), a share of deferrals (421 4.7.0 [TSS04], Yahoo-like), greylisting (451
 * 4.7.1 on the first attempt per triplet), unknown users (550 5.1.1), slow or absent banners, STARTTLS.
 * Exports startReceiver, SharedRules. Everything it does is counted in the shared WorldCounters; a
 * site's rate and connection state is shared by all the site's receivers (one per MX address).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { Gcra, Greylist, type WorldCounters } from './counters.ts';
import type { ReceiverSpec } from './scenario.ts';

/** State shared by every receiver of one world. */
export interface SharedRules {
  readonly counters: WorldCounters;
  readonly greylist: Greylist;
  readonly rates: Map<string, Gcra>;
  readonly transactionsBySite: Map<string, number>;
  readonly now: () => number;
}

export interface RunningReceiver {
  readonly spec: ReceiverSpec;
  readonly port: number;
  stop(): Promise<void>;
}

export function createSharedRules(counters: WorldCounters): SharedRules {
  return { counters, greylist: new Greylist(), rates: new Map(), transactionsBySite: new Map(), now: Date.now };
}

function refusal(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** FNV-1a of the address as a fraction of [0, 1): the same address is always (un)known. */
export function addressFraction(address: string): number {
  let hash = 0x811c9dc5;
  for (const char of address.toLowerCase()) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash / 2 ** 32;
}

/** The Nth transaction of a site is deferred when N × share crosses an integer: an exact share. */
function deferThisOne(rules: SharedRules, site: string, share: number): boolean {
  const n = (rules.transactionsBySite.get(site) ?? 0) + 1;
  rules.transactionsBySite.set(site, n);
  return Math.floor(n * share) > Math.floor((n - 1) * share);
}

function mailFromRefusal(spec: ReceiverSpec, rules: SharedRules, ip: string, now: number): Error | undefined {
  const { behaviour, site } = spec;
  if (behaviour.ratePerIp) {
    const key = `${site} ${ip}`;
    let gcra = rules.rates.get(key);
    if (!gcra) rules.rates.set(key, (gcra = new Gcra(behaviour.ratePerIp.perSecond, behaviour.ratePerIp.burst)));
    if (!gcra.allow(now)) {
      rules.counters.reply(site, '421 4.7.28');
      return refusal(421, `4.7.28 [${ip}] Our system has detected an unusual rate of unsolicited mail originating from your IP address. Try again later.`);
    }
  }
  if (behaviour.deferShare && deferThisOne(rules, site, behaviour.deferShare)) {
    rules.counters.reply(site, '421 4.7.0 [TSS04]');
    return refusal(421, `4.7.0 [TSS04] Messages from ${ip} temporarily deferred due to unexpected volume or user complaints - 4.16.55.1`);
  }
  return undefined;
}

function rcptRefusal(spec: ReceiverSpec, rules: SharedRules, session: SMTPServerSession, rcpt: string): Error | undefined {
  const { site, behaviour } = spec;
  if (addressFraction(rcpt) < behaviour.unknownUserShare) {
    rules.counters.reply(site, '550 5.1.1');
    return refusal(550, '5.1.1 The email account that you tried to reach does not exist.');
  }
  if (spec.greylistMinDelayMs === undefined) return undefined;
  const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const result = rules.greylist.check(session.remoteAddress, sender, rcpt, rules.now(), spec.greylistMinDelayMs);
  if (result !== 'known') rules.counters.greylist(site, result);
  if (result === 'passed' || result === 'known') return undefined;
  rules.counters.reply(site, '451 4.7.1 greylisted');
  return refusal(451, '4.7.1 Greylisted, please try again later');
}

function handlers(spec: ReceiverSpec, rules: SharedRules) {
  const { counters } = rules;
  const counted = new Set<string>();
  return {
    onConnect(session: SMTPServerSession, callback: (err?: Error) => void) {
      const ip = session.remoteAddress;
      const cap = spec.behaviour.connectionsPerIp;
      if (!spec.silent && cap !== undefined && counters.openFrom(spec.site, ip) >= cap) {
        counters.reply(spec.site, '451 4.7.500');
        return callback(refusal(451, '4.7.500 Server busy. Please try again later.'));
      }
      counted.add(session.id);
      counters.connectionOpened(spec.site, ip);
      if (spec.silent) return; // never greets: the client's greeting timeout ends it
      if (spec.bannerDelayMs > 0) setTimeout(() => callback(), spec.bannerDelayMs);
      else callback();
    },
    onSecure(_socket: unknown, _session: SMTPServerSession, callback: (err?: Error) => void) {
      counters.tlsSession(spec.site);
      callback();
    },
    onClose(session: SMTPServerSession) {
      if (counted.delete(session.id)) counters.connectionClosed(spec.site, session.remoteAddress);
    },
    onMailFrom(_address: unknown, session: SMTPServerSession, callback: (err?: Error) => void) {
      const now = rules.now();
      counters.transactionStarted(spec.site, session.remoteAddress, now);
      callback(mailFromRefusal(spec, rules, session.remoteAddress, now));
    },
    onRcptTo(address: { address: string }, session: SMTPServerSession, callback: (err?: Error) => void) {
      callback(rcptRefusal(spec, rules, session, address.address));
    },
    onData(stream: NodeJS.ReadableStream, session: SMTPServerSession, callback: (err?: Error) => void) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        counters.messageAccepted(spec.site, session.remoteAddress, session.envelope.rcptTo.length, rules.now());
        counters.reply(spec.site, '250');
        callback();
      });
    },
  };
}

export async function startReceiver(spec: ReceiverSpec, rules: SharedRules, port: number): Promise<RunningReceiver> {
  const server = new SMTPServer({
    name: `mx.${spec.site}`,
    authOptional: true,
    disabledCommands: spec.behaviour.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    hideENHANCEDSTATUSCODES: true,
    disableReverseLookup: true,
    logger: false,
    size: 50 * 1024 * 1024,
    socketTimeout: 120_000,
    closeTimeout: 1_000,
    ...handlers(spec, rules),
  });
  server.on('error', () => undefined);
  server.listen(port, spec.address);
  await Promise.race([once(server.server, 'listening'), once(server.server, 'error').then(([error]) => Promise.reject(error as Error))]);
  return {
    spec,
    port: (server.server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
