/**
 * Lists a ZIP archive's entries from its central directory, without decompressing anything:
 * the End Of Central Directory record is found in the last 64 KiB + 22 bytes, then each central
 * header gives a name and the encryption flag. Exports listZipEntries. Invariants: never throws
 * on junk (returns undefined: not a ZIP or unreadable), reads at most MAX_ENTRIES entries.
 */

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const MAX_ENTRIES = 10_000;

export interface ZipEntry {
  readonly name: string;
  readonly encrypted: boolean;
}

export interface ZipListing {
  readonly entries: readonly ZipEntry[];
  /** More entries than MAX_ENTRIES (a zip bomb shape); only the first ones are listed. */
  readonly truncated: boolean;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let i = zip.length - 22; i >= earliest; i--) if (zip.readUInt32LE(i) === EOCD_SIGNATURE) return i;
  return -1;
}

export function listZipEntries(zip: Buffer): ZipListing | undefined {
  if (zip.length < 22 || zip.readUInt32LE(0) !== 0x04034b50) return undefined;
  const eocd = findEndOfCentralDirectory(zip);
  if (eocd < 0) return undefined;
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < Math.min(count, MAX_ENTRIES); i++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== CENTRAL_SIGNATURE) break;
    const flags = zip.readUInt16LE(offset + 8);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const end = offset + 46 + nameLength;
    if (end > zip.length) break;
    // Bit 11: the name is UTF-8; otherwise CP437, whose ASCII range is all a name check needs.
    entries.push({ name: zip.toString(flags & 0x800 ? 'utf8' : 'latin1', offset + 46, end), encrypted: (flags & 0x1) === 1 });
    offset = end + extraLength + commentLength;
  }
  return { entries, truncated: count > MAX_ENTRIES };
}
