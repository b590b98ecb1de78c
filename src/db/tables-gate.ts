/** Tables of the gate: scans, scanners' devices and their event assignments. */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, ScanResult, Timestamp } from './column-types.ts'

export interface ScanTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string | null
  event_id: string
  scanner_id: string
  scan_result: ScanResult
  latitude: number | null
  longitude: number | null
  device_info: string | null
  /** When the scan happened (the device's clock). */
  scanned_at: ColumnType<Date, Date | string | undefined, Date | string>
  /** When the server learned of it. */
  synced_at: ColumnType<Date | null, Date | string | undefined, Date | string>
  /** The client's id of this attempt: a retry with the same id is answered the same, recorded once. */
  scan_id: string | null
  device_id: string | null
  scanner_device_id: string | null
  gate: string | null
  reason: string | null
  offline: ColumnType<boolean, boolean | undefined, boolean>
  /** The person went in (a valid scan, or an offline admission found later to be a second entry). */
  entered: ColumnType<boolean, boolean | undefined, boolean>
  answer: ColumnType<Record<string, unknown> | null, Record<string, unknown> | undefined, Record<string, unknown>>
  undone_at: Timestamp | null
  undone_by: string | null
}

export interface ScannerDeviceTable {
  id: Generated<string>
  tenant_id: string
  user_id: string
  device_id: string
  label: ColumnType<string, string | undefined, string>
  token_hash: string
  created_at: CreatedAt
  expires_at: Timestamp
  last_seen_at: Timestamp | null
  revoked_at: Timestamp | null
  revoked_by: string | null
}

export interface ScannerAssignmentTable {
  tenant_id: string
  event_id: string
  user_id: string
  created_at: CreatedAt
}
