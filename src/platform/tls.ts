/**
 * TLS material for the SMTP listeners: the PEM certificate and key named by `ingress.tls.cert/key`,
 * or — when both are empty — a self-signed pair generated once into `<dataDir>/tls/` and reused on
 * later starts. Exports loadTlsMaterial(); the caller logs `source` (a generated certificate is
 * worth a warning). Invariants: exactly one of {both paths set, both empty}; the generated key file
 * is written 0600 and published by rename, so a crash never leaves a half-written pair behind.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { Config } from '../config/index.ts';
import { ErrorCodes, FerryError } from '../domain/index.ts';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** `configured`: from ingress.tls; `generated`: created now; `reused`: generated on an earlier start. */
  readonly source: 'configured' | 'generated' | 'reused';
  /** Where the certificate came from (file path). */
  readonly certPath: string;
}

const TEN_YEARS_MS = 10 * 365 * 86_400_000;

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FerryError(ErrorCodes.CONFIG_INVALID, `ingress.tls.${what}: cannot read ${path}`, { cause });
  }
}

async function generatePair(hostname: string): Promise<{ cert: string; key: string }> {
  // RSA (not EC): the installed selfsigned build fails on EC keys; RSA-2048 takes ~100 ms once.
  const pair = await generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + TEN_YEARS_MS),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pair.cert, key: pair.private };
}

function writeAtomically(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode });
  renameSync(temp, path);
}

/** The certificate and key the listeners present; generates a self-signed pair when none is configured. */
export async function loadTlsMaterial(config: Config): Promise<TlsMaterial> {
  const { cert, key } = config.ingress.tls;
  if (cert && key) return { cert: readPem(cert, 'cert'), key: readPem(key, 'key'), source: 'configured', certPath: cert };
  if (cert || key) {
    throw new FerryError(ErrorCodes.CONFIG_INVALID, 'ingress.tls: set both cert and key, or neither (a self-signed pair is then generated)');
  }
  const dir = join(config.dataDir, 'tls');
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  if (existsSync(certPath) && existsSync(keyPath)) {
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), source: 'reused', certPath };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pair = await generatePair(config.ingress.hostname);
  // Key first: a cert file present means its key is present too.
  writeAtomically(keyPath, pair.key, 0o600);
  writeAtomically(certPath, pair.cert, 0o644);
  return { ...pair, source: 'generated', certPath };
}
