import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CSV_FORMAT, neutralizeCsvRows } from './csv.js';

describe('CSV as Chancery writes it', () => {
  it('keeps a field with a bare LF or CR in one quoted cell, so that no line of it starts a record (or a formula)', () => {
    const rows = neutralizeCsvRows([{ post: 'BEIJING', summary: 'Minister refused.\n=2+5' }, { post: 'TOKYO', summary: 'done\r@SUM(1+1)' }, { post: 'PARIS', summary: 'a\r\nb' }]);
    const text = stringify(rows, CSV_FORMAT);
    expect(text).toContain('"Minister refused.\n=2+5"');
    expect(text).toContain('"done\r@SUM(1+1)"');
    expect(text.startsWith('\uFEFFpost,summary\r\n')).toBe(true); // a BOM, for Excel to read UTF-8
    expect(parse(text, { columns: true, bom: true })).toEqual(rows);
  });

  it('neutralises a formula behind leading spaces or a line break, and leaves plain text as it is', () => {
    const cells = ['=1+1', '  =HYPERLINK("x")', ' @SUM(A1)', '\u00a0+1', '\n=2', '\t1', '-3', 'Minister = refused', 'a-b', '', '  plain'];
    expect(neutralizeCsvRows(cells.map((summary) => ({ summary }))).map((row) => row.summary)).toEqual([
      "'=1+1", '\'  =HYPERLINK("x")', "' @SUM(A1)", "'\u00a0+1", "'\n=2", "'\t1", "'-3", 'Minister = refused', 'a-b', '', '  plain',
    ]);
  });
});
