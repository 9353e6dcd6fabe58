import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvText } from './csv.ts';

// Fields drawn to hit every rule: commas, quotes, CR, LF and CRLF, formula-like starts, Unicode, the empty field.
const field = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', 'a', ' ', '=', '-', '£', '\u2014') }),
  fc.constantFrom('', '"', '""', ',', '\r\n', 'a,b', 'say "hi"', '-1234.56', '2026/27'),
);
const recordsOf = (f: fc.Arbitrary<string>) => fc.array(fc.array(f, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 });
const records = recordsOf(field);
const withoutLineBreaks = recordsOf(field.map((f) => f.replace(/[\r\n]/g, ' ')));

describe('CSV as RFC 4180 writes it', () => {
  it('reads back as the same records', () => {
    fc.assert(
      fc.property(records, (rs) => {
        expect(parse(csvText(rs), { relax_column_count: true })).toEqual(rs);
      }),
      { numRuns: 2000 },
    );
  });

  it('is byte for byte what csv-stringify writes (Windows record delimiters) for fields without line breaks', () => {
    fc.assert(
      fc.property(withoutLineBreaks, (rs) => {
        expect(csvText(rs)).toBe(stringify(rs, { record_delimiter: 'windows' }));
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes a field with any line break, which csv-stringify leaves bare unless it is the record delimiter: Excel starts a new row at a bare one', () => {
    expect(csvText([['one\ntwo', 'cr\r']])).toBe('"one\ntwo","cr\r"\r\n');
    expect(stringify([['one\ntwo']], { record_delimiter: 'windows' })).toBe('one\ntwo\r\n');
  });

  it('quotes only what must be quoted', () => {
    expect(['plain', '1234.56', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', ''].map(csvField)).toEqual([
      'plain',
      '1234.56',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '"cr\r"',
      '',
    ]);
    expect(
      csvText([
        ['Year', 'Saving (£)'],
        ['2026/27', '1,500'],
      ]),
    ).toBe('Year,Saving (£)\r\n2026/27,"1,500"\r\n');
  });
});
