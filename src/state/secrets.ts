/**
 * Secrets at rest: the master key and the sealing of DKIM private keys (AES-256-GCM).
 * Exports loadMasterKey (config.secrets.masterKey, else the master key file, generated 0600 on
 * first use), parseMasterKey, and SecretBox (seal/open with the record's identity as AAD, so a
 * sealed value cannot be moved to another record). A malformed master key, or one that cannot
 * open what was sealed, is MTA_ERR_SECRET_KEY; the key itself never appears in a message.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ErrorCodes, FerryError } from '../domain/index.ts';
import type { Config } from '../config/index.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const SEALED_PREFIX = 'v1';

export interface MasterKey {
  readonly key: Buffer;
  /** The key file it was read from; undefined when it came from secrets.masterKey (FERRY_SECRETS_MASTER_KEY). */
  readonly file: string | undefined;
  /** True when this call generated a new key file (the caller logs it: the file must be backed up). */
  readonly created: boolean;
}

/** 64 hex characters or base64 of exactly 32 bytes. `origin` names the key or file in errors. */
export function parseMasterKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new FerryError(
    ErrorCodes.SECRET_KEY,
    `${origin}: master key must be 32 bytes written as 64 hex characters or base64 (got ${trimmed.length} characters)`,
  );
}

export function masterKeyFilePath(config: Config): string {
  return config.secrets.masterKeyFile || join(config.dataDir, 'master.key');
}

function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FerryError(ErrorCodes.SECRET_KEY, `cannot read master key file ${path}`, { cause: error });
  }
}

/** Creates the key file exclusively; if another process won the race, its key is used. */
function createKeyFile(path: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, randomBytes(KEY_BYTES).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new FerryError(ErrorCodes.SECRET_KEY, `cannot create master key file ${path}`, { cause: error });
  }
}

export function loadMasterKey(config: Config): MasterKey {
  if (config.secrets.masterKey !== '') {
    return { key: parseMasterKey(config.secrets.masterKey, 'secrets.masterKey'), file: undefined, created: false };
  }
  const path = masterKeyFilePath(config);
  let text = readKeyFile(path);
  let created = false;
  if (text === undefined) {
    created = createKeyFile(path);
    text = readKeyFile(path);
    if (text === undefined) throw new FerryError(ErrorCodes.SECRET_KEY, `master key file ${path} vanished after creation`);
  }
  return { key: parseMasterKey(text, `master key file ${path}`), file: path, created };
}

/** Seals and opens small secrets with one master key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new FerryError(ErrorCodes.SECRET_KEY, `master key must be ${KEY_BYTES} bytes`);
    this.#key = key;
  }

  /** A value that identifies the key without revealing it (stored to detect a changed master key early). */
  fingerprint(): string {
    return createHmac('sha256', this.#key).update('ferry master key check v1').digest('hex').slice(0, 32);
  }

  /** `v1.<iv>.<tag>.<ciphertext>` (base64url parts); `context` is bound as additional data. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [SEALED_PREFIX, iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string, context: string): string {
    const [prefix, iv, tag, data] = sealed.split('.');
    if (prefix !== SEALED_PREFIX || iv === undefined || tag === undefined || data === undefined) {
      throw new FerryError(ErrorCodes.SECRET_KEY, `${context}: stored secret has an unknown format`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new FerryError(
        ErrorCodes.SECRET_KEY,
        `${context}: cannot decrypt stored secret; the master key differs from the one that encrypted it`,
        { cause },
      );
    }
  }
}
