/**
 * XLSX through write-excel-file's universal build: it zips with fflate on web globals only (no Node
 * API), so it runs on Deno and Workers alike. Cells are typed: numbers are numbers (money in KES with
 * two decimals), times are dates (Nairobi wall-clock time, as Excel has no time zones); the header row
 * is bold and frozen.
 */
import writeXlsxFile, { type Cell as XlsxCell, type Row } from 'write-excel-file/universal'
import type { Cell, ColumnDef, ExportRow } from '../datasets.ts'

const NAIROBI_MS = 3 * 3600_000

function xlsxCell(column: ColumnDef, value: Cell): XlsxCell {
  if (value == null) return null
  if (column.kind === 'time') {
    // Excel stores no zone: the date is written as Nairobi wall-clock time
    return { type: Date, value: new Date((value as Date).getTime() + NAIROBI_MS), format: 'yyyy-mm-dd hh:mm' }
  }
  if (column.kind === 'money') return { type: Number, value: Number(value) / 100, format: '#,##0.00' }
  if (column.kind === 'count') return { type: Number, value: Number(value) }
  return { type: String, value: String(value) }
}

export async function xlsxBytes(sheetName: string, columns: ColumnDef[], headers: string[], rows: ExportRow[]): Promise<Uint8Array> {
  const data: Row[] = [headers.map((header) => ({ value: header, type: String, fontWeight: 'bold' as const }))]
  for (const row of rows) data.push(columns.map((column) => xlsxCell(column, row[column.key] ?? null)))
  const blob = await writeXlsxFile(data, {
    sheet: sheetName.slice(0, 31), stickyRowsCount: 1,
    columns: columns.map((column) => ({ width: column.kind === 'text' ? 24 : 16 })),
  }).toBlob()
  return new Uint8Array(await blob.arrayBuffer())
}
