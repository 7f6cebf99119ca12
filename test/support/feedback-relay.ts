/**
 * Test fixture for the feedback loop end to end, in-process: the real ingress (relay-fixture),
 * the delivery engine routed to a real SMTP sink on 127.0.x.y, the feedback loop with its inbound
 * listener and unsubscribe endpoint on ephemeral loopback ports, and a fake clock for the loop
 * (drain / sweep / webhook passes are driven by the test). Helpers: a tenant with DKIM keys, send
 * over STARTTLS + AUTH, a raw SMTP send to the inbound listener. Exports startFeedbackRelay.
 */
import { startEgress } from '../../src/egress/index.ts';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Test } from 'tap';
import { createResolver, type Logger } from '../../src/platform/index.ts';
import { createRouter, parseVerpAddress, startDelivery, type DeliveryEngine } from '../../src/delivery/index.ts';
import { deliveryHooks, startFeedbackLoop, type FeedbackLoop } from '../../src/feedback/index.ts';
import type { DkimKey, Tenant } from '../../src/domain/index.ts';
import { startRelayFixture, type RelayFixture } from './relay-fixture.ts';
import { startSmtpSink, type SinkOptions, type SmtpSink } from './smtp-sink.ts';

export interface FeedbackRelay {
  readonly fx: RelayFixture;
  readonly sink: SmtpSink;
  readonly feedback: FeedbackLoop;
  readonly delivery: DeliveryEngine;
  readonly verpSecret: Buffer;
  readonly unsubscribeSecret: Buffer;
  readonly clock: { now(): number; advance(ms: number): void };
  readonly log: Logger;
  tenant(name: string): Promise<{ tenant: Tenant; apiKey: string; domain: string; keys: DkimKey[] }>;
  /** `accepted`: every recipient was; `headers` are added to the message (e.g. X-Ferry-Stream). */
  send(apiKey: string, from: string, to: string | readonly string[], subject?: string, headers?: Record<string, string>): Promise<{ accepted: boolean; response: string }>;
  /** Raw SMTP to the inbound listener over STARTTLS: MAIL FROM:<> … DATA; returns the server's last reply or the error. */
  inbound(rcpt: string, raw: string): Promise<string>;
}

function dkimKey(algorithm: DkimKey['algorithm'], selector: string): DkimKey {
  const pair = algorithm === 'rsa-sha256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const publicKeyDns = (algorithm === 'rsa-sha256' ? spki : spki.subarray(spki.length - 32)).toString('base64');
  return { selector, algorithm, privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKeyDns, createdAt: Date.now() };
}

export async function startFeedbackRelay(t: Test, sinkHost: string, egressIp: string, rcpt?: SinkOptions['rcpt']): Promise<FeedbackRelay> {
  const sink = await startSmtpSink({ host: sinkHost, ...(rcpt && { rcpt }) });
  t.teardown(() => sink.stop());
  const fx = await startRelayFixture(t, {
    config: {
      secrets: { masterKey: randomBytes(32).toString('hex') },
      filter: { enabled: false },
      egress: { ips: [{ address: egressIp, helo: 'out.ferry.test' }], pools: { shared: [egressIp] } },
      delivery: { enabled: true, routes: { '*': `${sinkHost}:${sink.port}` }, bounceDomain: 'bounces.ferry.test' },
      feedback: {
        inbound: { enabled: true, host: '127.0.0.1', port: 0, feedbackAddresses: ['fbl@ferry.test'] },
        unsubscribe: { enabled: true, host: '127.0.0.1', port: 0, baseUrl: 'http://127.0.0.1:1/' },
      },
    },
  });
  const { config, state, spool, log } = fx;
  const verpSecret = randomBytes(32);
  const unsubscribeSecret = randomBytes(32);
  let current = Date.now();
  const clock = { now: () => current, advance: (ms: number) => void (current += ms) };
  const resolver = createResolver({ servers: [...config.dns.servers], timeoutMs: 1000, negativeTtlMs: 1000 });
  const egress = await startEgress({ config, state, spool, log });
  const delivery = startDelivery({
    config, state, spool, log, verpSecret, dkimWorkers: 0, router: createRouter({ config, resolver }), egress: egress.chooser, ...deliveryHooks(config, unsubscribeSecret),
  });
  const feedback = await startFeedbackLoop({
    config, state, log, unsubscribeSecret, now: clock.now, background: false,
    parseVerp: (address) => parseVerpAddress(address, config.delivery.bounceDomain, verpSecret),
  });
  // Teardowns run in reverse order of registration: these stop before the fixture closes the store.
  t.teardown(async () => {
    await feedback.stop();
    await egress.stop();
    await delivery.stop(2000);
  });

  return {
    fx, sink, feedback, delivery, verpSecret, unsubscribeSecret, clock, log,
    async tenant(name) {
      const made = await fx.tenant(name, { domains: [] });
      const domain = `${name}.test`;
      const keys = [dkimKey('rsa-sha256', 'rsa'), dkimKey('ed25519-sha256', 'ed')];
      await state.addDomain({ domain, tenantId: made.tenant.id, createdAt: Date.now(), dkimKeys: keys });
      return { tenant: made.tenant, apiKey: made.apiKey, domain, keys };
    },
    async send(apiKey, from, to, subject = 'Hello', headers = {}) {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1', port: fx.ports.submission, secure: false, requireTLS: true, tls: { rejectUnauthorized: false },
        auth: { user: 'apikey', pass: apiKey }, connectionTimeout: 5000, socketTimeout: 5000,
      });
      try {
        const recipients = typeof to === 'string' ? [to] : [...to];
        const info = await transport.sendMail({ from, to: recipients, subject, headers, text: 'Hello from the feedback test.' });
        return { accepted: info.accepted.length === recipients.length, response: info.response };
      } catch (error) {
        return { accepted: false, response: String((error as { response?: string }).response ?? (error as Error).message) };
      } finally {
        transport.close();
      }
    },
    async inbound(rcpt, raw) {
      // requireTLS: every report in these tests arrives over STARTTLS, as mailbox providers send them
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: feedback.ports.inbound ?? 0, secure: false, requireTLS: true, tls: { rejectUnauthorized: false }, connectionTimeout: 5000, socketTimeout: 5000 });
      try {
        const info = await transport.sendMail({ envelope: { from: '', to: [rcpt] }, raw: Buffer.from(raw.replace(/\r?\n/g, '\r\n')) });
        return info.response;
      } catch (error) {
        return String((error as { response?: string }).response ?? (error as Error).message);
      } finally {
        transport.close();
      }
    },
  };
}
