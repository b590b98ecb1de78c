/** How a cell reads in a text format (CSV, PDF): Nairobi time, money as a plain decimal. */
import { csvCell, minorToDecimal } from '../../payments/reconciliation-service.ts'
import type { Cell, ColumnDef } from '../datasets.ts'

export { csvCell }

/** "2026-03-05 10:01:00" in Nairobi time (UTC+3 all year): what a spreadsheet reads as a date and time. */
export function nairobiText(date: Date): string {
  return new Date(date.getTime() + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}

export function cellText(column: ColumnDef, value: Cell): string {
  if (value == null) return ''
  if (column.kind === 'time') return value instanceof Date ? nairobiText(value) : String(value)
  if (column.kind === 'money') return minorToDecimal(Number(value))
  return String(value)
}
