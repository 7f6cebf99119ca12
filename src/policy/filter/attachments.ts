/**
 * The malware-risk attachment check: executables and scripts by content magic (PE, ELF, Mach-O,
 * shebang) and by name (attachments.yaml lists), double extensions, bidi-override names,
 * macro-enabled Office (by extension, by a VBA project inside OLE2 or OOXML), and ZIP archives
 * whose central directory lists any of these — read without decompressing (zip.ts).
 * Exports attachmentCheck and inspectAttachment. Scores add up per attachment; the worst one counts.
 */
import type { AttachmentRules } from './rules.ts';
import type { ContentCheck, Finding, AttachmentView } from './types.ts';
import { listZipEntries } from './zip.ts';

const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const VBA_PROJECT_UTF16 = Buffer.from('_VBA_PROJECT', 'utf16le');
const MACHO = new Set(['feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe']);
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/;

interface Signal {
  readonly code: string;
  readonly score: number;
  readonly detail: string;
}

function executableMagic(content: Buffer): string | undefined {
  if (content.length >= 2 && content[0] === 0x4d && content[1] === 0x5a) return 'PE executable';
  if (content.length >= 4 && content.readUInt32BE(0) === 0x7f454c46) return 'ELF executable';
  if (content.length >= 4 && MACHO.has(content.subarray(0, 4).toString('hex'))) return 'Mach-O executable';
  return undefined;
}

function extensionsOf(name: string): string[] {
  return name.toLowerCase().split('.').slice(1).map((e) => e.trim());
}

/** Signals of a file name alone (attachments and ZIP entries alike). */
function nameSignals(name: string, rules: AttachmentRules, prefix = ''): Signal[] {
  const { scores } = rules;
  const signals: Signal[] = [];
  const exts = extensionsOf(name);
  const last = exts[exts.length - 1] ?? '';
  const shown = `${prefix}${JSON.stringify(name)}`;
  if (BIDI.test(name)) signals.push({ code: 'malware.bidi-name', score: scores.bidiOverride, detail: `${shown} hides its extension with a bidi control` });
  if (rules.executable.includes(last)) {
    signals.push({ code: 'malware.executable-name', score: scores.executableName, detail: `${shown}: .${last} runs code` });
    const before = exts[exts.length - 2];
    if (before !== undefined && rules.document.includes(before)) {
      signals.push({ code: 'malware.double-extension', score: scores.doubleExtension, detail: `${shown}: .${before} before .${last}` });
    }
  }
  if (rules.macroOffice.includes(last)) signals.push({ code: 'malware.macro-office', score: scores.macroOffice, detail: `${shown}: macro-enabled Office type` });
  return signals;
}

function archiveSignals(attachment: AttachmentView, rules: AttachmentRules): Signal[] {
  const listing = listZipEntries(attachment.content);
  if (!listing) return [];
  const signals: Signal[] = [];
  const shown = JSON.stringify(attachment.filename);
  if (listing.entries.some((e) => /(^|\/)vbaProject\.bin$/i.test(e.name))) {
    signals.push({ code: 'malware.macro-office', score: rules.scores.macroOffice, detail: `${shown} holds a VBA project` });
  }
  if (listing.entries.some((e) => e.encrypted)) signals.push({ code: 'malware.encrypted-archive', score: rules.scores.encryptedArchive, detail: `${shown} is encrypted` });
  for (const entry of listing.entries) {
    const inner = nameSignals(entry.name.split('/').pop() ?? '', rules, `${shown} → `);
    for (const signal of inner) signals.push({ ...signal, code: 'malware.archive-executable', score: rules.scores.archiveExecutable });
  }
  return signals;
}

export function inspectAttachment(attachment: AttachmentView, rules: AttachmentRules): Signal[] {
  const { content, filename } = attachment;
  const signals = nameSignals(filename, rules);
  const magic = executableMagic(content);
  if (magic) signals.push({ code: 'malware.executable-content', score: rules.scores.executableContent, detail: `${JSON.stringify(filename)} is a ${magic}` });
  else if (content.length >= 2 && content[0] === 0x23 && content[1] === 0x21 && !signals.length) {
    signals.push({ code: 'malware.script-content', score: rules.scores.scriptContent, detail: `${JSON.stringify(filename)} starts with #! (a script)` });
  }
  if (content.subarray(0, 8).equals(OLE2) && content.includes(VBA_PROJECT_UTF16)) {
    signals.push({ code: 'malware.macro-office', score: rules.scores.macroOffice, detail: `${JSON.stringify(filename)} (OLE2) holds a VBA project` });
  }
  const last = extensionsOf(filename).pop() ?? '';
  if (rules.uninspectableArchive.includes(last)) {
    signals.push({ code: 'malware.uninspectable-archive', score: rules.scores.uninspectableArchive, detail: `${JSON.stringify(filename)}: .${last} archive not inspected` });
  }
  signals.push(...archiveSignals(attachment, rules));
  return signals;
}

export function attachmentCheck(rules: AttachmentRules): ContentCheck {
  return {
    name: 'attachments',
    category: 'malware',
    check(view, _envelope, policy): Finding {
      let worst: { score: number; signals: Signal[] } = { score: 0, signals: [] };
      for (const attachment of view.attachments) {
        const signals = inspectAttachment(attachment, rules);
        const score = signals.reduce((sum, s) => sum + s.score, 0);
        if (score > worst.score) worst = { score, signals };
      }
      const top = [...worst.signals].sort((a, b) => b.score - a.score)[0];
      if (!top) return { code: 'none', score: 0, positive: false };
      return { code: top.code, score: worst.score, positive: worst.score >= policy.checks.attachments.threshold, detail: worst.signals.map((s) => s.detail).join('; ') };
    },
  };
}
