/**
 * Our DKIM signer against an independent verifier (mailauth's dkimVerify, keys served by an
 * in-memory resolver instead of DNS) and mailauth's own body canonicalization: both algorithms,
 * folded and repeated headers, odd whitespace, 8-bit header bytes, empty bodies, tampering.
 */
import t from 'tap';
import { generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { relaxedBodyHash, relaxedHeader } from './dkim-canon.ts';
import { signMessage, type SigningKey } from './dkim.ts';

type BodyHasher = { update(chunk: Buffer): void; digest(encoding: string): string };
// mailauth's body canonicalizer ships no type declarations.
const { dkimBody } = createRequire(import.meta.url)('mailauth/lib/dkim/body/index.js') as { dkimBody: (canon: string, algo: string, max: false) => BodyHasher };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');
const keys: SigningKey[] = [
  { domain: 'example.com', selector: 'r1', algorithm: 'rsa-sha256', privateKeyPem: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
  { domain: 'example.com', selector: 'e1', algorithm: 'ed25519-sha256', privateKeyPem: ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
];
const dns: Record<string, string> = {
  'r1._domainkey.example.com': `v=DKIM1; k=rsa; p=${rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  // RFC 8463: the raw 32-byte public key, the last 32 bytes of the SPKI DER.
  'e1._domainkey.example.com': `v=DKIM1; k=ed25519; p=${ed.publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64')}`,
};
const resolver = async (name: string) => {
  const record = dns[name];
  if (!record) throw Object.assign(new Error(`no TXT for ${name}`), { code: 'ENOTFOUND' });
  return [[record]];
};

async function verify(message: Buffer): Promise<string[]> {
  const result = await dkimVerify(message, { resolver } as Parameters<typeof dkimVerify>[1]);
  return result.results.map((entry) => `${entry.signingDomain}:${(entry as { selector?: string }).selector}:${entry.status.result}`);
}

const MESSAGES: Record<string, string> = {
  plain: 'From: News <news@example.com>\r\nTo: alice@dest.test\r\nSubject: hello\r\nDate: Sun, 22 Nov 2026 08:00:00 +0000\r\nMessage-ID: <a@b>\r\n\r\nHello from Ferry.\r\n',
  folded: 'From: news@example.com\r\nSubject: a very\r\n\tlong   subject \t\r\n  folded twice\r\nTo: a@x.test,\r\n b@y.test\r\n\r\nbody  with \t spaces   \r\nand trailing\t\r\n\r\n\r\n',
  repeated: 'Received: x\r\nFrom: news@example.com\r\nTo: one@x.test\r\nTo: two@x.test\r\nSubject: s\r\n\r\nline\r\n.dot line\r\n',
  'utf-8 bytes': 'From: =?utf-8?q?N=C3=A9ws?= <news@example.com>\r\nSubject: Signed ünïcode à\r\nTo: b@y.test\r\n\r\nCafé à la crème \r\n',
  'empty body': 'From: news@example.com\r\nSubject: nothing\r\n\r\n',
  'only empty lines': 'From: news@example.com\r\nSubject: nothing\r\n\r\n\r\n\r\n',
  'no final CRLF': 'From: news@example.com\r\nSubject: x\r\n\r\nlast line  ',
  'spaces around colon': 'From : news@example.com\r\nSUBJECT:no space\r\n\r\nx\r\n',
  'many signed fields (h= folded)': `From: news@example.com\r\n${'To: someone@x.test\r\n'.repeat(40)}\r\nx\r\n`,
};

t.test('both signatures verify with mailauth for every message shape', async (t) => {
  for (const [name, text] of Object.entries(MESSAGES)) {
    const message = Buffer.from(text, 'utf8');
    const signatures = await signMessage(message, keys, new Date());
    t.match(signatures, /^DKIM-Signature: v=1; a=rsa-sha256; [^]*\r\nDKIM-Signature: v=1; a=ed25519-sha256; [^]*\r\n$/, `${name}: two header fields`);
    const signed = Buffer.concat([Buffer.from(signatures, 'latin1'), message]);
    t.same(await verify(signed), ['example.com:r1:pass', 'example.com:e1:pass'], `${name}: both pass`);
    const longest = Math.max(...signatures.split('\r\n').map((line) => line.length));
    t.ok(longest <= 100, `${name}: signature lines stay short (${longest})`);
  }
});

t.test('an altered body or signed header fails both signatures', async (t) => {
  const message = Buffer.from(MESSAGES.plain as string);
  const signed = Buffer.concat([Buffer.from(await signMessage(message, keys, new Date()), 'latin1'), message]);
  const body = Buffer.from(signed.toString('latin1').replace('Hello from Ferry.', 'Hello from Evil.'), 'latin1');
  // mailauth answers a body hash mismatch with neutral (RFC 6376 §6.3: the signature does not verify).
  t.same(await verify(body), ['example.com:r1:neutral', 'example.com:e1:neutral']);
  const subject = Buffer.from(signed.toString('latin1').replace('Subject: hello', 'Subject: hullo'), 'latin1');
  t.same(await verify(subject), ['example.com:r1:fail', 'example.com:e1:fail']);
});

t.test('relaxed body hash equals mailauth\'s for tricky bodies', async (t) => {
  const bodies = ['', '\r\n', 'a\r\n', 'a', ' a  b \t\r\n\r\n', 'x\r\n \r\n\t\r\ny \r\n\r\n \r\n', 'bare\nlf\n', '\t\t\r\n'];
  for (const body of bodies) {
    const theirs = dkimBody('relaxed', 'sha256', false);
    theirs.update(Buffer.from(body));
    t.equal(relaxedBodyHash(Buffer.from(body)), theirs.digest('base64'), JSON.stringify(body));
  }
});

t.test('relaxed header keeps 8-bit bytes that String.trim would drop', async (t) => {
  const raw = Buffer.from('Subject:  voilà \t', 'utf8').toString('latin1');
  t.equal(relaxedHeader(raw), Buffer.from('subject:voilà', 'utf8').toString('latin1'));
});

t.test('refuses a message without From and a key of the wrong type', async (t) => {
  await t.rejects(signMessage(Buffer.from('Subject: x\r\n\r\nbody\r\n'), keys, new Date()), /no From header/);
  const wrong = [{ ...(keys[1] as SigningKey), algorithm: 'rsa-sha256' as const }];
  await t.rejects(signMessage(Buffer.from(MESSAGES.plain as string), wrong, new Date()), /not an rsa key/);
  t.equal(await signMessage(Buffer.from(MESSAGES.plain as string), [], new Date()), '');
});
