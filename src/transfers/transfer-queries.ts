/** Queries of ticket transfers: the ticket a transfer moves, the transfer rows, the audit trail. */
import type { Queryable } from '../db/database.ts'

/** The ticket with what the transfer rules need (its event's settings, any active listing), locked. */
export function lockTicketForTransfer(db: Queryable, ticketId: string) {
  return db.selectFrom('tickets as t').innerJoin('events as e', 'e.id', 't.event_id')
    .select(['t.id', 't.tenant_id', 't.event_id', 't.user_id', 't.status', 't.qr_code', 't.qr_version', 't.transfer_count',
      'e.allow_transfers', 'e.max_transfers', 'e.transfer_fee_minor', 'e.starts_at', 'e.status as event_status', 'e.title',
      'e.venue_name', 'e.venue_city',
      (eb) => eb.exists(eb.selectFrom('marketplace_listings as l').select('l.id')
        .whereRef('l.ticket_id', '=', 't.id').where('l.status', '=', 'active')).as('listed')])
    .where('t.id', '=', ticketId).forUpdate('t').executeTakeFirst()
}

export function lockTransfer(db: Queryable, transferId: string) {
  return db.selectFrom('transfers').selectAll().where('id', '=', transferId).forUpdate().executeTakeFirst()
}

export function findTransferByLink(db: Queryable, linkHash: string) {
  return db.selectFrom('transfers').selectAll().where('recipient_link_hash', '=', linkHash).executeTakeFirst()
}

/** Where a person's messages go: their phone (WhatsApp) first, else their email. */
export function contactOf(db: Queryable, userId: string) {
  return db.selectFrom('users').select(['id', 'name', 'phone', 'email', 'is_guest']).where('id', '=', userId).executeTakeFirst()
}

/** The account (or else the guest record) this phone or email belongs to. */
export async function findPersonByContact(db: Queryable, contact: string, channel: 'whatsapp' | 'email') {
  const rows = await db.selectFrom('users').select(['id', 'role', 'is_guest'])
    .where((eb) => channel === 'email' ? eb(eb.fn('lower', ['email']), '=', contact) : eb('phone', '=', contact))
    // an account only by a contact it confirmed: a phone typed into someone's profile does not take tickets sent to it
    .where((eb) => eb.or([eb('is_guest', '=', true), eb(channel === 'email' ? 'email_verified_at' : 'phone_verified_at', 'is not', null)]))
    .orderBy('is_guest').orderBy('created_at').limit(1).execute()
  return rows[0]
}

export function createGuestFor(db: Queryable, contact: string, channel: 'whatsapp' | 'email') {
  return db.insertInto('users').values(channel === 'email' ? { is_guest: true, email: contact } : { is_guest: true, phone: contact })
    .returning(['id', 'role', 'is_guest']).executeTakeFirstOrThrow()
}

/** Pending transfers whose 24 hours are over (optionally only this person's), locked, skipping any another request holds. */
export function lockDueTransfers(db: Queryable, now: Date, fromUserId?: string) {
  let query = db.selectFrom('transfers').selectAll().where('status', '=', 'pending').where('expires_at', '<=', now)
  if (fromUserId) query = query.where('from_user_id', '=', fromUserId)
  return query.orderBy('expires_at').limit(200).forUpdate().skipLocked().execute()
}

/** The transfers of these tickets, newest first: the audit trail the owner sees. */
export function transfersOfTickets(db: Queryable, ticketIds: string[]) {
  if (ticketIds.length === 0) return Promise.resolve([])
  return db.selectFrom('transfers')
    .select(['id', 'ticket_id', 'from_user_id', 'to_user_id', 'to_contact', 'to_channel', 'status', 'created_at', 'sender_confirmed_at',
      'completed_at', 'ended_at', 'expires_at', 'old_qr_version', 'new_qr_version'])
    .where('ticket_id', 'in', ticketIds).orderBy('created_at', 'desc').execute()
}

/** A manager's view of an event's transfers (row-level security limits it to their tenant). */
export function transfersOfEvent(db: Queryable, eventId: string) {
  return db.selectFrom('transfers as tr').innerJoin('tickets as t', 't.id', 'tr.ticket_id')
    .leftJoin('users as f', 'f.id', 'tr.from_user_id').leftJoin('users as r', 'r.id', 'tr.to_user_id')
    .select(['tr.id', 'tr.ticket_id', 'tr.status', 'tr.created_at', 'tr.completed_at', 'tr.ended_at', 'tr.old_qr_version',
      'tr.new_qr_version', 'tr.old_qr_hash', 'tr.new_qr_hash', 'tr.to_contact', 'f.name as from_name', 'f.phone as from_phone',
      'f.email as from_email', 'r.name as to_name', 'tr.transfer_fee_minor', 'tr.fee_paid_at', 'tr.fee_transaction_id',
      (eb) => eb.selectFrom('transactions as fx').select('fx.mpesa_receipt_number').whereRef('fx.id', '=', 'tr.fee_transaction_id').as('fee_receipt'),
      (eb) => eb.selectFrom('transactions as fx').select((f) => f.fn.countAll<number>().as('n')).whereRef('fx.transfer_id', '=', 'tr.id').as('fee_attempts')])
    .where('t.event_id', '=', eventId).orderBy('tr.created_at', 'desc').limit(500).execute()
}

/** A transfer as its sender sees it (row-level security: parties only). */
export function findSenderTransfer(db: Queryable, transferId: string, userId: string) {
  return db.selectFrom('transfers')
    .select(['id', 'status', 'to_contact', 'created_at', 'expires_at', 'sender_confirmed_at', 'completed_at', 'ended_at',
      'transfer_fee_minor', 'fee_paid_at', 'fee_transaction_id'])
    .where('id', '=', transferId).where('from_user_id', '=', userId).executeTakeFirst()
}

/** The newest payment attempt of a transfer's fee. */
export function latestFeePayment(db: Queryable, transferId: string) {
  return db.selectFrom('transactions').select(['id', 'status', 'currency', 'amount_minor', 'mpesa_phone', 'result_code', 'failure_reason', 'created_at'])
    .where('transfer_id', '=', transferId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
}

/** What the recipient's page says about the ticket on offer, for a live link. */
export function findOfferByLink(db: Queryable, linkHash: string, now: Date) {
  return db.selectFrom('transfers as tr').innerJoin('tickets as t', 't.id', 'tr.ticket_id').innerJoin('events as e', 'e.id', 't.event_id')
    .select(['tr.id', 'e.title', 'e.starts_at', 'e.venue_name', 'e.venue_city'])
    .where('tr.recipient_link_hash', '=', linkHash).where('tr.status', '=', 'pending').where('tr.expires_at', '>', now)
    .where('tr.sender_confirmed_at', 'is not', null).executeTakeFirst()
}

/** One of the manager's tenant's events, by id (row-level security keeps it to their tenant). */
export function findTenantEvent(db: Queryable, tenantId: string, eventId: string) {
  return db.selectFrom('events').select(['id', 'title']).where('id', '=', eventId).where('tenant_id', '=', tenantId).executeTakeFirst()
}
