/**
 * CSV as Excel opens it without asking: UTF-8 with a byte-order mark, CRLF line ends (RFC 4180),
 * Nairobi time, money as plain decimals, formula-looking text defused. Sent as a stream of chunks, one
 * per page of rows, so the text of a large export never sits whole in memory.
 */
import type { ColumnDef, ExportRow } from '../datasets.ts'
import { cellText, csvCell } from './cells.ts'

const encoder = new TextEncoder()

export function csvLine(values: string[]): string {
  return `${values.map(csvCell).join(',')}\r\n`
}

/** The rows' pages as a byte stream: BOM and header first, then one chunk per page. */
export function csvStream(columns: ColumnDef[], headers: string[], pages: AsyncIterable<ExportRow[]> | Iterable<ExportRow[]>): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<ExportRow[]> | Iterator<ExportRow[]> | undefined
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${csvLine(headers)}`))
    },
    async pull(controller) {
      iterator ??= Symbol.asyncIterator in pages ? (pages as AsyncIterable<ExportRow[]>)[Symbol.asyncIterator]() : (pages as Iterable<ExportRow[]>)[Symbol.iterator]()
      const next = await iterator.next()
      if (next.done) return controller.close()
      let chunk = ''
      for (const row of next.value) chunk += csvLine(columns.map((column) => cellText(column, row[column.key] ?? null)))
      controller.enqueue(encoder.encode(chunk))
    },
  })
}
