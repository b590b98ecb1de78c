/** The scan log as a spreadsheet: one line per attempt, times in UTC (ISO 8601), CRLF line ends. */
import { csvCell } from '../payments/reconciliation-service.ts'
import type { ScanLogRow } from './attendance-queries.ts'

export const SCAN_LOG_COLUMNS = [
  'scanned_at', 'synced_at', 'result', 'reason', 'entered', 'offline', 'undone_at', 'ticket_id', 'ticket_type', 'gate', 'device', 'scanner',
] as const

export function scanLogCsv(rows: ScanLogRow[]): string {
  const lines = [SCAN_LOG_COLUMNS.join(',')]
  for (const row of rows) {
    lines.push([
      row.scanned_at.toISOString(), row.synced_at?.toISOString() ?? '', row.scan_result, row.reason, row.entered ? 'yes' : 'no',
      row.offline ? 'yes' : 'no', row.undone_at?.toISOString() ?? '', row.ticket_id, row.type_name, row.gate, row.device_id, row.scanner,
    ].map(csvCell).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}
