import { docx, odt, zip } from '../../../../test/support/zip.js';
import { sniffDocument } from './document-type.js';

describe('sniffDocument', () => {
  it('knows PDF, DOCX, ODT and UTF-8 text by their bytes', async () => {
    expect((await sniffDocument(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n')))?.extension).toBe('pdf');
    expect((await sniffDocument(docx('Non-paper')))?.extension).toBe('docx');
    expect((await sniffDocument(odt('Non-paper')))?.extension).toBe('odt');
    expect(await sniffDocument(Buffer.from('这些指控毫无根据。\nThese allegations are baseless.\n'))).toEqual({ mediaType: 'text/plain; charset=utf-8', extension: 'txt' });
  });

  it('refuses what is not one of them, whatever it is called: other ZIPs, broken ZIPs, binary, invalid UTF-8, NUL, empty', async () => {
    expect(await sniffDocument(zip([{ name: '[Content_Types].xml', content: '<Types><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>' }]))).toBeUndefined();
    expect(await sniffDocument(zip([{ name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet' }]))).toBeUndefined();
    expect(await sniffDocument(docx('x').subarray(0, 40))).toBeUndefined();
    expect(await sniffDocument(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeUndefined();
    expect(await sniffDocument(Buffer.from([0x68, 0x69, 0xff, 0xfe]))).toBeUndefined();
    expect(await sniffDocument(Buffer.from('text\u0000more'))).toBeUndefined();
    expect(await sniffDocument(Buffer.alloc(0))).toBeUndefined();
  });
});
