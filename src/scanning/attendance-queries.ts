/**
 * Live attendance of one event for its managers: admitted / expected (overall, per ticket type), per
 * gate and device, arrivals per 15 minutes, refused attempts, double entries, and the scan log.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { ScanResult } from '../db/schema.ts'

export async function attendanceFigures(db: Queryable, eventId: string) {
  const types = await db.selectFrom('ticket_types as tt').leftJoin('tickets as t', 't.ticket_type_id', 'tt.id')
    .select(['tt.id', 'tt.name',
      sql<number>`count(t.id) filter (where t.status = 'used')`.as('admitted'),
      sql<number>`count(t.id) filter (where t.status in ('active', 'used'))`.as('expected')])
    .where('tt.event_id', '=', eventId).groupBy(['tt.id', 'tt.name']).orderBy('tt.name').execute()
  const results = await db.selectFrom('scans').select(['scan_result', sql<number>`count(*)`.as('n')])
    .where('event_id', '=', eventId).groupBy('scan_result').execute()
  const gates = await db.selectFrom('scans')
    .select([sql<string>`coalesce(gate, '')`.as('gate'), sql<number>`count(*) filter (where entered)`.as('admitted'), sql<number>`count(*)`.as('scans')])
    .where('event_id', '=', eventId).groupBy(sql`coalesce(gate, '')`).orderBy(sql`coalesce(gate, '')`).execute()
  const devices = await db.selectFrom('scans')
    .select(['device_id', sql<number>`count(*) filter (where entered)`.as('admitted'), sql<number>`count(*)`.as('scans'),
      sql<Date>`max(synced_at)`.as('last_sync'), sql<boolean>`bool_or(offline)`.as('offline')])
    .where('event_id', '=', eventId).groupBy('device_id').orderBy(sql`max(synced_at)`, 'desc').limit(100).execute()
  const arrivals = await db.selectFrom('scans')
    .select([sql<Date>`to_timestamp(floor(extract(epoch from scanned_at) / 900) * 900)`.as('slot'), sql<number>`count(*)`.as('n')])
    .where('event_id', '=', eventId).where('entered', '=', true).where('scan_result', '=', 'valid')
    .groupBy(sql`1`).orderBy(sql`1`).execute()
  const n = (value: unknown) => Number(value)
  const count = (result: ScanResult) => n(results.find((row) => row.scan_result === result)?.n ?? 0)
  return {
    types: types.map((row) => ({ name: row.name, admitted: n(row.admitted), expected: n(row.expected) })),
    admitted: types.reduce((sum, row) => sum + n(row.admitted), 0),
    expected: types.reduce((sum, row) => sum + n(row.expected), 0),
    duplicates: count('duplicate'),
    refused: count('invalid') + count('transferred') + count('cancelled') + count('unpaid') + count('expired'),
    gates: gates.map((row) => ({ gate: row.gate, admitted: n(row.admitted), scans: n(row.scans) })),
    devices: devices.map((row) => ({ deviceId: row.device_id ?? '', admitted: n(row.admitted), scans: n(row.scans), lastSync: new Date(row.last_sync), offline: row.offline })),
    arrivals: arrivals.map((row) => ({ slot: new Date(row.slot), count: n(row.n) })),
  }
}

/** Second entries: a device let the holder in although the ticket was used, cancelled or refused. */
export function doubleEntries(db: Queryable, eventId: string) {
  return db.selectFrom('scans').select(['ticket_id', 'scan_result', 'reason', 'scanned_at', 'gate', 'device_id'])
    .where('event_id', '=', eventId).where('entered', '=', true).where('scan_result', '<>', 'valid').where('undone_at', 'is', null)
    .orderBy('scanned_at', 'desc').limit(200).execute()
}

export interface ScanLogFilter {
  result?: ScanResult
  gate?: string
  device?: string
}

export const SCAN_RESULTS: readonly ScanResult[] = ['valid', 'duplicate', 'invalid', 'transferred', 'cancelled', 'unpaid']

/** The scan log, newest first, filtered; `limit` rows (the page shows 100, the CSV up to 50,000). */
export function scanLog(db: Queryable, eventId: string, filter: ScanLogFilter, limit: number) {
  let query = db.selectFrom('scans as s').leftJoin('users as u', 'u.id', 's.scanner_id').leftJoin('tickets as t', 't.id', 's.ticket_id')
    .leftJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .select(['s.scan_id', 's.ticket_id', 's.scan_result', 's.reason', 's.scanned_at', 's.synced_at', 's.gate', 's.device_id', 's.offline',
      's.entered', 's.undone_at', 'u.email as scanner', 'tt.name as type_name'])
    .where('s.event_id', '=', eventId)
  if (filter.result) query = query.where('s.scan_result', '=', filter.result)
  if (filter.gate) query = query.where('s.gate', '=', filter.gate)
  if (filter.device) query = query.where('s.device_id', '=', filter.device)
  return query.orderBy('s.scanned_at', 'desc').orderBy('s.id', 'desc').limit(limit).execute()
}

export type ScanLogRow = Awaited<ReturnType<typeof scanLog>>[number]
