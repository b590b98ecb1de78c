/**
 * The scanner manifest: what a phone needs to check codes with no connection. The tenant's public
 * keys, and for every ticket that was ever sold its current QR version and status, packed in 12 bytes
 * (10,000 tickets are ~120 KB, ~100 KB gzipped). Tickets are named by the first 8 bytes of their id:
 * the device looks a code up only after its signature checked out, so the prefix only has to tell this
 * event's tickets apart (a clash among 10,000 random ids: about 1 in 10^11).
 *
 * Deltas: `cursor` is the database time of the newest change the manifest saw; `?since=cursor` sends
 * what changed after it, less a margin (a change made in a transaction that began earlier but committed
 * later carries an earlier time). Records are idempotent, so resending a few costs nothing.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { TicketStatus } from '../db/schema.ts'

const RECORD_BYTES = 12
const DELTA_MARGIN_MS = 120_000
const REFUND_STATES = ['refund_due', 'refund_requested', 'refunded']

/** The status byte, shared with static/assets/scanner (same numbers). */
export const MANIFEST_STATUS: Record<TicketStatus | 'refunded', number> = {
  active: 1, used: 2, cancelled: 3, transferred: 4, pending_payment: 5, paid: 5, expired: 5, available: 5, refunded: 6,
}

export async function buildManifest(db: Queryable, input: { tenantId: string; eventId: string; since?: number; now: Date }) {
  const keys = await db.selectFrom('ticket_signing_keys').select(['key_id', 'public_key']).where('tenant_id', '=', input.tenantId)
    .orderBy('key_id').execute()
  const types = await db.selectFrom('ticket_types').select(['id', 'name']).where('event_id', '=', input.eventId).orderBy('id').execute()
  const typeIndex = new Map(types.map((type, index) => [type.id, index]))
  let query = db.selectFrom('tickets as t').leftJoin('transactions as x', 'x.id', 't.transaction_id')
    .select(['t.id', 't.qr_version', 't.status', 't.ticket_type_id', 'x.status as payment_status'])
    .where('t.event_id', '=', input.eventId).where('t.status', '<>', 'available')
  if (input.since !== undefined) query = query.where('t.gate_changed_at', '>', new Date(input.since - DELTA_MARGIN_MS))
  const rows = await query.execute()
  // the cursor is read from the database clock, which stamps gate_changed_at, not from this server's
  const clock = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db)
  const counts = await db.selectFrom('tickets').select([
    sql<number>`count(*) filter (where status = 'used')`.as('admitted'),
    sql<number>`count(*) filter (where status in ('active', 'used'))`.as('expected'),
  ]).where('event_id', '=', input.eventId).executeTakeFirstOrThrow()
  const packed = new Uint8Array(rows.length * RECORD_BYTES)
  const view = new DataView(packed.buffer)
  rows.forEach((row, i) => {
    const offset = i * RECORD_BYTES
    const hex = row.id.replace(/-/g, '')
    for (let b = 0; b < 8; b++) packed[offset + b] = parseInt(hex.slice(b * 2, b * 2 + 2), 16)
    packed[offset + 8] = Math.min(row.qr_version, 255)
    const refunded = row.status === 'cancelled' && REFUND_STATES.includes(row.payment_status ?? '')
    packed[offset + 9] = refunded ? MANIFEST_STATUS.refunded : MANIFEST_STATUS[row.status]
    view.setUint16(offset + 10, typeIndex.get(row.ticket_type_id) ?? 0)
  })
  return {
    eventId: input.eventId,
    cursor: String(new Date(clock.rows[0]!.now).getTime()),
    full: input.since === undefined,
    generatedAt: input.now.toISOString(),
    keys: keys.map((key) => ({ keyId: key.key_id, publicKey: key.public_key })),
    types: Object.fromEntries(types.map((type, index) => [String(index), type.name])),
    admitted: Number(counts.admitted),
    expected: Number(counts.expected),
    tickets: packedBase64Url(packed),
  }
}

/** base64url of many bytes, in chunks (spreading 100 KB into one call would overflow the stack). */
function packedBase64Url(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
