import type { Cell, CellValue } from 'exceljs';
import type { ImportProblem } from './import-parse.ts';

/** An .xlsx file starts as a zip does. */
export function isXlsx(bytes: Uint8Array): boolean {
  return bytes.length > 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The cells of one sheet of a workbook (the first, or the one named), as the
 * text a person sees, row by row from the sheet's row 1 — so problems name
 * the rows Excel shows. A money cell keeps its exact value ("1234.5"); a
 * percentage reads "80%"; a date "2026-03-27"; a formula its result.
 * exceljs is loaded on the first workbook, not with the API.
 */
export async function xlsxRecords(bytes: Uint8Array, sheet?: string): Promise<{ records: string[][] } | { problem: ImportProblem }> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  } catch (error) {
    return { problem: { row: 0, column: '', path: 'file', message: `The file is not a workbook Excel can open: ${(error as Error).message}` } };
  }
  const names = workbook.worksheets.map((w) => w.name);
  const ws = sheet === undefined ? workbook.worksheets[0] : workbook.getWorksheet(sheet);
  if (!ws) {
    return {
      problem: {
        row: 0,
        column: '',
        path: 'sheet',
        message:
          sheet === undefined ? 'The workbook has no sheet.' : `The workbook has no sheet "${sheet}"; its sheets are ${names.map((n) => `"${n}"`).join(', ')}.`,
      },
    };
  }
  const records: string[][] = [];
  const width = ws.columnCount;
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c)));
    records.push(cells);
  }
  return { records };
}

function cellText(cell: Cell): string {
  // A merged range's other cells repeat its value in exceljs; a person sees it once, in the first.
  if (cell.isMerged && cell.master !== cell) return '';
  return valueText(cell.value, cell.numFmt ?? '');
}

function valueText(value: CellValue, numFmt: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return numberText(value, numFmt);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('result' in value) return valueText((value.result ?? null) as CellValue, numFmt);
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('error' in value) return String(value.error);
  return '';
}

/** A number as typed: whole pence exactly ("1234.5", "80"); a percentage as "80%"; anything finer as it is (a fraction of a penny is then refused). */
function numberText(value: number, numFmt: string): string {
  if (numFmt.includes('%')) return `${Number((value * 100).toFixed(6))}%`;
  const pence = Math.round(value * 100);
  if (Math.abs(value * 100 - pence) < 1e-6) return String(pence / 100);
  return String(value);
}
