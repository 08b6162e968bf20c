import { inflateRawSync } from 'node:zlib';

/** What a document is, by its bytes. */
export interface DocumentType {
  mediaType: string;
  extension: 'pdf' | 'docx' | 'odt' | 'txt';
}

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const DOCX_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
const ODT = 'application/vnd.oasis.opendocument.text';
/** Enough of a ZIP entry to read a manifest; more is not a manifest (and guards against a zip bomb). */
const MAX_MANIFEST_BYTES = 1024 * 1024;

/**
 * The type of a document by its magic numbers, never its name or declared type: PDF (`%PDF-`),
 * DOCX (a ZIP whose `[Content_Types].xml` declares a WordprocessingML main part), ODT (a ZIP whose
 * `mimetype` entry says `application/vnd.oasis.opendocument.text`), TXT (valid UTF-8 without NUL).
 * Anything else is undefined.
 */
export function sniffDocument(bytes: Buffer): DocumentType | undefined {
  if (bytes.length === 0) return undefined;
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return { mediaType: 'application/pdf', extension: 'pdf' };
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) {
    const entries = zipEntries(bytes);
    if (!entries) return undefined;
    const mimetype = entries.get('mimetype');
    if (mimetype && readEntry(bytes, mimetype)?.toString('latin1').trim() === ODT) return { mediaType: ODT, extension: 'odt' };
    const types = entries.get('[Content_Types].xml');
    if (types && readEntry(bytes, types)?.toString('utf8').includes(DOCX_MAIN)) {
      return { mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extension: 'docx' };
    }
    return undefined;
  }
  if (bytes.includes(0)) return undefined;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return { mediaType: 'text/plain; charset=utf-8', extension: 'txt' };
}

interface ZipEntry {
  method: number;
  compressedSize: number;
  localHeader: number;
}

/** The entries of a ZIP's central directory by name; undefined when it has none that reads. */
function zipEntries(bytes: Buffer): Map<string, ZipEntry> | undefined {
  // The end-of-central-directory record: 22 bytes, then a comment of at most 65,535.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  const entries = new Map<string, ZipEntry>();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== 0x02014b50) return undefined;
    const nameLength = bytes.readUInt16LE(at + 28);
    const name = bytes.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    entries.set(name, { method: bytes.readUInt16LE(at + 10), compressedSize: bytes.readUInt32LE(at + 20), localHeader: bytes.readUInt32LE(at + 42) });
    at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
  }
  return entries;
}

function readEntry(bytes: Buffer, entry: ZipEntry): Buffer | undefined {
  const at = entry.localHeader;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== 0x04034b50) return undefined;
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const data = bytes.subarray(start, start + entry.compressedSize);
  try {
    if (entry.method === 0) return data.subarray(0, MAX_MANIFEST_BYTES);
    if (entry.method === 8) return inflateRawSync(data, { maxOutputLength: MAX_MANIFEST_BYTES });
  } catch {
    return undefined;
  }
  return undefined;
}
