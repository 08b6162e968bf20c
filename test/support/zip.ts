import { zipSync } from 'fflate';

/** A ZIP of these entries (documents as DOCX and ODT are ZIPs), made by fflate: stored, or deflated. */
export function zip(entries: { name: string; content: string | Buffer; deflate?: boolean }[]): Buffer {
  const files = Object.fromEntries(
    entries.map((entry) => [entry.name, [Buffer.from(entry.content), { level: entry.deflate ? 6 : 0 }] as [Uint8Array, { level: 0 | 6 }]]),
  );
  return Buffer.from(zipSync(files));
}

export const DOCX_CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';

export function docx(text: string): Buffer {
  return zip([
    { name: '[Content_Types].xml', content: DOCX_CONTENT_TYPES, deflate: true },
    { name: 'word/document.xml', content: `<w:document><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`, deflate: true },
  ]);
}

export function odt(text: string): Buffer {
  return zip([
    { name: 'mimetype', content: 'application/vnd.oasis.opendocument.text' },
    { name: 'content.xml', content: `<office:document-content><office:text>${text}</office:text></office:document-content>`, deflate: true },
  ]);
}
