/**
 * The gate's SQL: reserving a scan's id and what a refusal needs to say (the admission statement itself
 * is the ticket lifecycle's: src/tickets/lifecycle.ts admitTicket).
 * Every function takes the caller's transaction; row-level security limits it to the tenant.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { ScanResult } from '../db/schema.ts'
import type { ScanAnswer } from './verdict.ts'

export interface ScanRowInput {
  tenantId: string
  eventId: string
  scannerId: string
  scanId: string
  deviceId: string
  scannerDeviceId: string | null
  gate: string | null
  latitude: number | null
  longitude: number | null
  deviceInfo: string | null
  scannedAt: Date
  offline: boolean
  now: Date
}

/**
 * Records a scan with its verdict: true when this request is the first with its scan id. A second
 * request with the same id waits here for the first to commit, then records nothing (its caller answers
 * the first's answer; whatever it decided had no effect: the first holds the admission).
 */
export async function insertScan(db: Queryable, row: ScanRowInput, verdict: {
  ticketId: string | null; result: ScanResult; reason: string | null; entered: boolean; answer: ScanAnswer
}): Promise<boolean> {
  const inserted = await db.insertInto('scans').values({
    tenant_id: row.tenantId, event_id: row.eventId, scanner_id: row.scannerId, scan_id: row.scanId, device_id: row.deviceId,
    scanner_device_id: row.scannerDeviceId, gate: row.gate, latitude: row.latitude, longitude: row.longitude,
    device_info: row.deviceInfo, scanned_at: row.scannedAt, synced_at: row.now, offline: row.offline,
    ticket_id: verdict.ticketId, scan_result: verdict.result, reason: verdict.reason, entered: verdict.entered,
    answer: verdict.answer as unknown as Record<string, unknown>,
  }).onConflict((oc) => oc.columns(['event_id', 'scan_id']).doNothing()).returning('id').executeTakeFirst()
  return inserted !== undefined
}

/** The answer already given for this scan id, if any. */
export async function findScanAnswer(db: Queryable, eventId: string, scanId: string) {
  const row = await db.selectFrom('scans').select(['answer', 'scanner_id']).where('event_id', '=', eventId).where('scan_id', '=', scanId)
    .executeTakeFirst()
  return row ? { answer: (row.answer ?? { result: 'invalid' }) as unknown as ScanAnswer, scannerId: row.scanner_id } : undefined
}

/** The ticket as the gate needs it: status, version, type name, holder, and whether it was refunded. */
export async function ticketAtGate(db: Queryable, ticketId: string, eventId: string, options: { lock?: boolean } = {}) {
  let query = db.selectFrom('tickets as t')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('transactions as x', 'x.id', 't.transaction_id')
    .select(['t.id', 't.status', 't.qr_version', 't.scanned_at', 'tt.name as type_name', 'u.name as holder_name', 'x.status as payment_status'])
    .where('t.id', '=', ticketId).where('t.event_id', '=', eventId)
  if (options.lock) query = query.forUpdate('t')
  return query.executeTakeFirst()
}

/** The admission that stands for a ticket (the earliest valid scan not undone), for ALREADY USED. */
export function firstAdmission(db: Queryable, ticketId: string) {
  return db.selectFrom('scans').select(['scan_id', 'scanned_at', 'gate', 'device_id'])
    .where('ticket_id', '=', ticketId).where('scan_result', '=', 'valid').where('undone_at', 'is', null)
    .orderBy('scanned_at').orderBy('id').executeTakeFirst()
}

/**
 * An offline admission earlier than the one on record becomes the admission (scans are facts; the
 * earliest counts): the ticket takes its time, and the later valid scans become duplicates that got in.
 */
export async function moveAdmissionEarlier(db: Queryable, input: { ticketId: string; scannerId: string; at: Date; now: Date }) {
  await db.updateTable('tickets').set({ scanned_at: input.at, scanned_by: input.scannerId, updated_at: input.now })
    .where('id', '=', input.ticketId).execute()
  const later = await db.selectFrom('scans').select(['id', 'answer']).where('ticket_id', '=', input.ticketId)
    .where('scan_result', '=', 'valid').where('undone_at', 'is', null).execute()
  for (const row of later) {
    await db.updateTable('scans').set({ scan_result: 'duplicate', reason: 'already_used' }).where('id', '=', row.id).execute()
  }
}

/** How many scans this device has sent for the event, and how many tickets are admitted of those expected. */
export async function gateCounts(db: Queryable, eventId: string, deviceId: string) {
  const tickets = await db.selectFrom('tickets').select([
    sql<number>`count(*) filter (where status = 'used')`.as('admitted'),
    sql<number>`count(*) filter (where status in ('active', 'used'))`.as('expected'),
  ]).where('event_id', '=', eventId).executeTakeFirstOrThrow()
  const device = await db.selectFrom('scans').select(sql<number>`count(*)`.as('n'))
    .where('event_id', '=', eventId).where('device_id', '=', deviceId).executeTakeFirstOrThrow()
  return { admitted: Number(tickets.admitted), expected: Number(tickets.expected), deviceScans: Number(device.n) }
}
