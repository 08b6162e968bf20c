import { fileTypeFromBuffer } from 'file-type';

/** What a document is, by its bytes. */
export interface DocumentType {
  mediaType: string;
  extension: 'pdf' | 'docx' | 'odt' | 'txt';
}

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

const BINARY_TYPES: ReadonlySet<string> = new Set(['pdf', 'docx', 'odt']);

/**
 * The type of a document by its content, never its name or declared type. PDF, DOCX and ODT are
 * recognised by `file-type` (magic numbers; for the ZIP-based formats, the entries that make a
 * WordprocessingML or OpenDocument text); a file it does not recognise is TXT only if it is valid
 * UTF-8 without NUL bytes. Anything else is undefined.
 */
export async function sniffDocument(bytes: Buffer): Promise<DocumentType | undefined> {
  if (bytes.length === 0) return undefined;
  const found = await fileTypeFromBuffer(bytes);
  if (found) return BINARY_TYPES.has(found.ext) ? { mediaType: found.mime, extension: found.ext as DocumentType['extension'] } : undefined;
  if (bytes.includes(0)) return undefined;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return { mediaType: 'text/plain; charset=utf-8', extension: 'txt' };
}
