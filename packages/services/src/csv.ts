/**
 * CSV as RFC 4180 writes it, which Excel and Power BI read: fields separated
 * by commas, a field quoted when it holds a comma, a quote or a line break
 * (its quotes doubled), every record ended by CRLF. What csv-stringify writes
 * with `record_delimiter: 'windows'` (a property test holds the two equal):
 * the feeds write hundreds of thousands of fields a second, and csv-stringify
 * spent a fifth of a feed's CPU checking options no feed uses for each one.
 */
const NEEDS_QUOTES = /[",\r\n]/;

/** One field, quoted if it must be. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records (each a list of fields, as text) as CSV, each ended by CRLF. */
export function csvText(records: readonly (readonly string[])[]): string {
  let out = '';
  for (const record of records) {
    for (let i = 0; i < record.length; i++) out += i === 0 ? csvField(record[i]!) : `,${csvField(record[i]!)}`;
    out += '\r\n';
  }
  return out;
}
