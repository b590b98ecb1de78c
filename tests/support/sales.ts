/**
 * Sales history for analytics tests: orders (a reservation, its payment and its tickets) in any payment
 * state, scans, transfers and resale listings, written in the platform context as the app would leave them.
 */
import { sql } from 'kysely'
import type { Database } from '../../src/db/database.ts'
import type { TransactionStatus } from '../../src/db/schema.ts'
import { asSystem, unique } from './fixtures.ts'

export interface OrderInput {
  tenantId: string
  eventId: string
  typeId: string
  quantity: number
  unitMinor: number
  status: TransactionStatus
  at: Date
  commissionBps?: number
  phone?: string
  userId?: string | null
  resultCode?: number
  failureReason?: string
  type?: 'purchase' | 'resale' | 'transfer_fee'
}

export interface Order {
  transactionId: string
  reservationId: string
  ticketIds: string[]
  amount: number
  commission: number
}

/**
 * Completed: tickets active, linked to the payment. Refunded / refund due: the tickets went back
 * (cancelled), the money is owed back. Failed / pending: the hold lapsed or is open, no tickets sold.
 */
export async function placeOrder(db: Database, input: OrderInput): Promise<Order> {
  const amount = input.quantity * input.unitMinor
  const commission = Math.round(amount * (input.commissionBps ?? 500) / 10_000)
  return asSystem(db, async (trx) => {
    const paid = input.status === 'completed'
    const reservation = await trx.insertInto('reservations').values({
      tenant_id: input.tenantId, event_id: input.eventId, user_id: input.userId ?? null,
      status: paid ? 'paid' : input.status === 'pending' ? 'held' : 'expired',
      expires_at: new Date(input.at.getTime() + 600_000), access_token_hash: unique('h'), total_minor: amount,
      created_at: input.at, updated_at: input.at,
    }).returning('id').executeTakeFirstOrThrow()
    const received = ['completed', 'refund_due', 'refund_requested', 'refunded'].includes(input.status)
    const tx = await trx.insertInto('transactions').values({
      tenant_id: input.tenantId, event_id: input.eventId, user_id: input.userId ?? null, reservation_id: reservation.id,
      amount_minor: amount, commission_minor: commission, status: input.status, transaction_type: input.type ?? 'purchase',
      // a refunded payment has had all of its money back (settlement.ts)
      refunded_minor: input.status === 'refunded' ? amount : 0,
      mpesa_receipt_number: received ? unique('R').slice(0, 30) : null, checkout_request_id: unique('ws_CO'),
      mpesa_phone: input.phone ?? '254712345678', paid_phone: received ? input.phone ?? '254712345678' : null,
      result_code: input.resultCode ?? (received ? 0 : null), failure_reason: input.failureReason ?? null,
      created_at: input.at, completed_at: received ? new Date(input.at.getTime() + 60_000) : null,
    }).returning('id').executeTakeFirstOrThrow()
    let ticketIds: string[] = []
    if (received && input.status !== 'refund_due') {
      const status = paid ? 'active' : 'cancelled'
      const { rows } = await sql<{ id: string }>`update tickets set status = ${status}, claimable_after = 'infinity',
          transaction_id = ${tx.id}, reservation_id = ${reservation.id}, user_id = ${input.userId ?? null},
          price_minor = ${input.unitMinor}, qr_code = case when ${paid} then 'qr-' || id::text end
        where id in (select id from tickets where ticket_type_id = ${input.typeId} and status = 'available' order by id limit ${input.quantity})
        returning id`.execute(trx)
      ticketIds = rows.map((row) => row.id)
      if (ticketIds.length !== input.quantity) throw new Error('placeOrder: not enough available tickets')
    }
    return { transactionId: tx.id, reservationId: reservation.id, ticketIds, amount, commission }
  })
}

/** A scan at the gate; a valid one also marks the ticket admitted, as check-in does. */
export async function scan(db: Database, input: { tenantId: string; eventId: string; ticketId: string; scannerId: string; at: Date; result?: 'valid' | 'duplicate' | 'invalid' }) {
  await asSystem(db, async (trx) => {
    await trx.insertInto('scans').values({
      tenant_id: input.tenantId, event_id: input.eventId, ticket_id: input.ticketId, scanner_id: input.scannerId,
      scan_result: input.result ?? 'valid', scanned_at: input.at,
    }).execute()
    if ((input.result ?? 'valid') === 'valid') {
      await trx.updateTable('tickets').set({ status: 'used', scanned_at: input.at, scanned_by: input.scannerId })
        .where('id', '=', input.ticketId).where('status', '=', 'active').execute()
    }
  })
}

export async function transfer(db: Database, input: { tenantId: string; ticketId: string; from: string; to: string; feeMinor: number; status: 'pending' | 'completed'; at: Date }) {
  await asSystem(db, (trx) => trx.insertInto('transfers').values({
    tenant_id: input.tenantId, ticket_id: input.ticketId, from_user_id: input.from, to_user_id: input.to,
    status: input.status, transfer_fee_minor: input.feeMinor, created_at: input.at,
    completed_at: input.status === 'completed' ? input.at : null,
  }).execute())
}

export async function listing(db: Database, input: { tenantId: string; eventId: string; ticketId: string; seller: string; priceMinor: number; status: 'active' | 'sold'; at: Date }) {
  await asSystem(db, (trx) => trx.insertInto('marketplace_listings').values({
    tenant_id: input.tenantId, event_id: input.eventId, ticket_id: input.ticketId, seller_id: input.seller,
    original_price_minor: input.priceMinor, listing_price_minor: input.priceMinor, status: input.status, created_at: input.at,
    sold_at: input.status === 'sold' ? input.at : null,
  }).execute())
}
