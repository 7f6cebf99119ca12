/**
 * DKIM signing at send time: one DKIM-Signature per key of the message's `From:` domain
 * (rsa-sha256 and ed25519-sha256 when both exist), relaxed/relaxed, over a fixed header list.
 * Exports createDkimSigner → DkimSigner.sign(message) → the header block to prepend (Buffer,
 * possibly empty), and signMessage (pure: keys + message → header block) used in worker threads.
 * Invariant: a domain owned by another tenant never signs a message (no cross-tenant keys).
 */
import { dkimSign } from 'mailauth/lib/dkim/sign.js';
import type { AcceptedMessage, DkimKey, SendingDomain } from '../domain/index.ts';
import type { StateStore } from '../state/store.ts';

export const SIGNED_HEADERS = [
  'From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'Reply-To',
  'List-Unsubscribe', 'List-Unsubscribe-Post', 'MIME-Version', 'Content-Type',
] as const;

export interface SigningKey {
  readonly domain: string;
  readonly selector: string;
  readonly algorithm: DkimKey['algorithm'];
  readonly privateKeyPem: string;
}

/** DKIM-Signature header lines (CRLF-terminated) for `body`, one per key; throws when mailauth reports errors. */
export async function signMessage(body: Buffer, keys: readonly SigningKey[], signTime: Date): Promise<string> {
  if (keys.length === 0) return '';
  const result = await dkimSign(body, {
    canonicalization: 'relaxed/relaxed',
    // mailauth reads the header list as a colon-separated string.
    headerList: SIGNED_HEADERS.join(':') as unknown as string[],
    signTime,
    signatureData: keys.map((key) => ({
      signingDomain: key.domain,
      selector: key.selector,
      privateKey: key.privateKeyPem,
      algorithm: key.algorithm,
      canonicalization: 'relaxed/relaxed',
    })),
  } as Parameters<typeof dkimSign>[1]);
  if (result.errors && result.errors.length > 0) {
    const first = result.errors[0] as { err?: Error } | Error;
    throw new Error(`DKIM signing failed: ${'err' in first && first.err ? first.err.message : String(first)}`);
  }
  return result.signatures;
}

export interface DkimSigner {
  /** Header block to prepend to the message (empty when the domain has no keys). */
  sign(message: AcceptedMessage): Promise<Buffer>;
}

export interface DkimSignerOptions {
  readonly state: StateStore;
  readonly now: () => number;
  /** Where the signing runs (worker pool or inline); defaults to inline signMessage. */
  readonly signer?: (body: Buffer, keys: readonly SigningKey[], signTime: Date) => Promise<string>;
  /** How long a domain's keys are cached. */
  readonly cacheMs?: number;
}

export function createDkimSigner(options: DkimSignerOptions): DkimSigner {
  const { state, now } = options;
  const run = options.signer ?? signMessage;
  const cacheMs = options.cacheMs ?? 60_000;
  const cache = new Map<string, { domain: SendingDomain | undefined; until: number }>();

  async function domainKeys(domainName: string): Promise<SendingDomain | undefined> {
    const cached = cache.get(domainName);
    if (cached && cached.until > now()) return cached.domain;
    const domain = await state.getDomain(domainName);
    cache.set(domainName, { domain, until: now() + cacheMs });
    return domain;
  }

  return {
    async sign(message) {
      const domain = await domainKeys(message.fromDomain.toLowerCase());
      if (!domain || domain.tenantId !== message.tenantId || domain.dkimKeys.length === 0) return Buffer.alloc(0);
      const keys = domain.dkimKeys.map((key) => ({
        domain: domain.domain,
        selector: key.selector,
        algorithm: key.algorithm,
        privateKeyPem: key.privateKeyPem,
      }));
      return Buffer.from(await run(message.body, keys, new Date(now())), 'utf8');
    },
  };
}
