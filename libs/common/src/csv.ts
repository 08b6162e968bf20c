/**
 * A CSV cell as a spreadsheet will not run it (OWASP, "CSV Injection"): text that starts with `=`,
 * `+`, `-`, `@`, a tab, a carriage return or a line feed, or with spaces before one of the first
 * four (a spreadsheet that trims the cell on import finds the formula all the same), gets a leading
 * `'`, so that it is shown, not evaluated. The CSV writer quotes it as needed.
 */
export function neutralizeCsvCell(value: string): string {
  return /^(?:[\t\r\n]|\s*[=+\-@])/.test(value) ? `'${value}` : value;
}

/** Every cell of every row neutralised. */
export function neutralizeCsvRows<T extends Record<string, string>>(rows: T[]): T[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, neutralizeCsvCell(value)])) as T);
}

/**
 * How Chancery's CSV files are written (csv-stringify's options): a header row, and records ended by
 * CRLF as RFC 4180 has them. A field holding a line break of any kind is quoted (RFC 4180 §2.6):
 * csv-stringify quotes one holding the record delimiter (CRLF) but not a bare LF or CR, which a
 * spreadsheet reads as the end of the record (and the next line's `=` as a formula). The file opens
 * with a byte order mark: without one, Excel reads UTF-8 as the machine's code page, and a
 * counterpart's words in Chinese or Japanese as mojibake.
 */
export const CSV_FORMAT = { header: true, record_delimiter: 'windows', quoted_match: /[\r\n]/, bom: true } as const;
