/** Tables of organiser analytics: saved custom reports and background exports. */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, Json, Timestamp, UpdatedAt } from './column-types.ts'

export type ExportDataset = 'orders' | 'attendees' | 'checkins' | 'transfers' | 'payouts'
export type ExportFormat = 'csv' | 'xlsx' | 'pdf'
export type ExportJobStatus = 'pending' | 'running' | 'done' | 'failed'

export interface SavedReportTable {
  id: Generated<string>
  tenant_id: string
  created_by: string
  name: string
  dataset: ExportDataset
  columns: string[]
  filters: Json
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ExportJobTable {
  id: Generated<string>
  tenant_id: string
  requested_by: string
  dataset: ExportDataset
  file_type: ExportFormat
  columns: string[]
  filters: Json
  status: ColumnType<ExportJobStatus, ExportJobStatus | undefined, ExportJobStatus>
  total_rows: ColumnType<number, number | undefined, number>
  done_rows: ColumnType<number, number | undefined, number>
  filename: string | null
  content_type: string | null
  result: Uint8Array | null
  error: string | null
  created_at: CreatedAt
  finished_at: Timestamp | null
  expires_at: ColumnType<Date, Date | undefined, Date>
}
