/**
 * DKIM signing at send time: one DKIM-Signature per key of the message's `From:` domain
 * (rsa-sha256 and ed25519-sha256 when both exist), relaxed/relaxed, over a fixed header list.
 * Exports createDkimSigner → DkimSigner.sign(message) → the header block to prepend (Buffer,
 * possibly empty), and signMessage (keys + message → header block) used in worker threads: our
 * own signer over dkim-canon.ts with parsed keys cached per thread (docs/decisions/0007-delivery-hot-path.md).
 * Invariant: a domain owned by another tenant never signs a message (no cross-tenant keys).
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { AcceptedMessage, DkimKey, SendingDomain } from '../domain/index.ts';
import type { StateStore } from '../state/store.ts';
import { headerFields, relaxedBodyHash, relaxedHeader, signedFields, splitMessage } from './dkim-canon.ts';

export const SIGNED_HEADERS = [
  'From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID', 'Reply-To',
  'List-Unsubscribe', 'List-Unsubscribe-Post', 'MIME-Version', 'Content-Type',
] as const;

const SIGNED_NAMES: ReadonlySet<string> = new Set(SIGNED_HEADERS.map((name) => name.toLowerCase()));

export interface SigningKey {
  readonly domain: string;
  readonly selector: string;
  readonly algorithm: DkimKey['algorithm'];
  readonly privateKeyPem: string;
}

/**
 * Parsed keys by PEM, per thread: parsing a PEM costs more than an ed25519 signature, and a
 * fresh RSA key also pays OpenSSL's per-key setup on its first signature (≈2× the sign time).
 */
const keyObjects = new Map<string, { readonly object: KeyObject; readonly type: string | undefined }>();
const MAX_CACHED_KEYS = 1024;

function keyObjectFor(key: SigningKey): KeyObject {
  let cached = keyObjects.get(key.privateKeyPem);
  if (!cached) {
    const object = createPrivateKey(key.privateKeyPem);
    cached = { object, type: object.asymmetricKeyType };
    if (keyObjects.size >= MAX_CACHED_KEYS) keyObjects.clear();
    keyObjects.set(key.privateKeyPem, cached);
  }
  const expected = key.algorithm === 'rsa-sha256' ? 'rsa' : 'ed25519';
  if (cached.type !== expected) throw new Error(`DKIM key ${key.selector}._domainkey.${key.domain} is not an ${expected} key`);
  return cached.object;
}

/** The h= value, folded before a name once a line passes 72 characters (FWS is allowed around ':'). */
function foldedNames(names: readonly string[]): string {
  let out = '';
  let line = 0;
  for (const [index, name] of names.entries()) {
    const piece = index === 0 ? name : `:${name}`;
    if (line + piece.length > 72 && index > 0) {
      out += '\r\n ';
      line = 1;
    }
    out += piece;
    line += piece.length;
  }
  return out;
}

/** The base64 signature, folded: CRLF + SP every 72 characters. */
function folded(base64: string): string {
  return base64.replace(/.{72}(?=.)/g, '$&\r\n ');
}

function signOne(key: SigningKey, signedHeader: string, hashNames: string, bodyHash: string, signTime: Date): string {
  const domain = domainToASCII(key.domain) || key.domain;
  const time = Math.floor(signTime.getTime() / 1000);
  const head = `DKIM-Signature: v=1; a=${key.algorithm}; c=relaxed/relaxed; d=${domain}; q=dns/txt;\r\n s=${key.selector}; t=${time};\r\n h=${hashNames};\r\n bh=${bodyHash};\r\n b=`;
  // The signature covers its own header with an empty b= and without the final CRLF (RFC 6376 §3.7).
  const data = Buffer.from(signedHeader + relaxedHeader(head), 'latin1');
  const keyObject = keyObjectFor(key);
  const signature = key.algorithm === 'rsa-sha256'
    ? sign('sha256', data, keyObject)
    : sign(null, createHash('sha256').update(data).digest(), keyObject); // RFC 8463: Ed25519 over the SHA-256
  return `${head}${folded(signature.toString('base64'))}\r\n`;
}

/**
 * DKIM-Signature header lines (CRLF-terminated) for `message`, one per key, relaxed/relaxed:
 * the body is hashed once for all keys. Throws when the message has no From: field (RFC 6376
 * §5.4: it must be signed) or a key is not of its algorithm's type.
 */
export async function signMessage(message: Buffer, keys: readonly SigningKey[], signTime: Date): Promise<string> {
  if (keys.length === 0) return '';
  const { header, body } = splitMessage(message);
  const fields = signedFields(headerFields(header), SIGNED_NAMES);
  if (!fields.some((field) => field.key === 'from')) throw new Error('DKIM signing failed: the message has no From header');
  const signedHeader = fields.map((field) => `${relaxedHeader(field.raw)}\r\n`).join('');
  const hashNames = foldedNames(fields.map((field) => field.raw.slice(0, field.raw.indexOf(':')).replace(/[ \t]+$/, '')));
  const bodyHash = relaxedBodyHash(body);
  return keys.map((key) => signOne(key, signedHeader, hashNames, bodyHash, signTime)).join('');
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
  /** The domain and its signing keys, built once per cache entry (one array: a worker batch serialises it once). */
  const cache = new Map<string, { domain: SendingDomain | undefined; keys: readonly SigningKey[]; until: number }>();

  async function domainKeys(domainName: string): Promise<{ domain: SendingDomain | undefined; keys: readonly SigningKey[] }> {
    const cached = cache.get(domainName);
    if (cached && cached.until > now()) return cached;
    const domain = await state.getDomain(domainName);
    const keys = domain ? domain.dkimKeys.map((key) => ({
      domain: domain.domain,
      selector: key.selector,
      algorithm: key.algorithm,
      privateKeyPem: key.privateKeyPem,
    })) : [];
    const entry = { domain, keys, until: now() + cacheMs };
    cache.set(domainName, entry);
    return entry;
  }

  return {
    async sign(message) {
      const { domain, keys } = await domainKeys(message.fromDomain.toLowerCase());
      if (!domain || domain.tenantId !== message.tenantId || keys.length === 0) return Buffer.alloc(0);
      return Buffer.from(await run(message.body, keys, new Date(now())), 'utf8');
    },
  };
}
