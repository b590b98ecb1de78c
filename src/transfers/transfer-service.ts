/**
 * Ticket transfers (seed: OTP to both sides). The sender starts one and at once the ticket's QR version
 * moves on with no live code, so the old QR stops admitting from initiation (the gate answers
 * `transferred`). The sender confirms with a code sent to them; the recipient then gets a link and a
 * code, and accepting moves the ticket to them with a new QR version. Cancelling, or 24 hours passing,
 * gives the sender a fresh QR version. Every step locks the transfer row first, then the ticket: an
 * accept and a cancel racing end one way only.
 */
import type { Transaction } from 'kysely'
import type { Database } from '../db/database.ts'
import type { DB } from '../db/schema.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { formatDateTime } from '../i18n/format.ts'
import type { Lang } from '../i18n/index.ts'
import { randomDigits, randomToken, sha256Hex } from '../lib/crypto.ts'
import { DomainError, NotFoundError, TooManyAttemptsError } from '../lib/domain-errors.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import type { RateLimiter, RateRule } from '../ratelimit/rate-limiter.ts'
import { signTicketCode } from '../tickets/signed-code.ts'
import { currentSigningKey } from '../tickets/signing-keys.ts'
import {
  contactOf, createGuestFor, findPersonByContact, findTransferByLink, lockDueTransfers, lockTicketForTransfer, lockTransfer,
} from './transfer-queries.ts'
import {
  assertTransferable, CODE_TTL_MS, codeError, codeHash, judgeCode, MAX_CODE_ATTEMPTS, parseRecipient, PENDING_TTL_MS,
  TRANSFER_RULES, type Side,
} from './transfer-rules.ts'

export interface TransferDeps {
  db: Database
  now: Date
  ring?: KeyRing
  rateLimiter: RateLimiter
  lang: Lang
  /** The public origin, for the recipient's link. */
  origin: string
  clientIp: string
}

async function throttle(deps: TransferDeps, scope: string, subject: string, rule: RateRule) {
  const decision = await deps.rateLimiter.hit(`${scope}:${await sha256Hex(subject)}`, rule)
  if (!decision.allowed) throw new TooManyAttemptsError(decision.retryAfterSeconds)
}

type Trx = Transaction<DB>

/** A new signed code for the ticket at the next QR version; returns the version and the code. */
async function nextCode(trx: Trx, ring: KeyRing | undefined, ticket: { id: string; tenant_id: string; event_id: string; qr_version: number }, now: Date) {
  const key = await currentSigningKey(trx, ring, ticket.tenant_id)
  const qrVersion = ticket.qr_version + 1
  const code = await signTicketCode({ keyId: key.keyId, ticketId: ticket.id, eventId: ticket.event_id, qrVersion, issuedAt: now }, key.privateKey)
  return { qrVersion, code }
}

function senderAddress(person: { phone: string | null; email: string | null }) {
  if (person.phone) return { channel: 'whatsapp' as const, phone: person.phone, email: null }
  if (person.email) return { channel: 'email' as const, phone: null, email: person.email }
  return undefined
}

/** Starts a transfer of the owner's ticket to a phone or email; the sender's code goes out. Returns the transfer id. */
export async function startTransfer(deps: TransferDeps, input: { ticketId: string; userId: string; to: string }): Promise<string> {
  const recipient = parseRecipient(input.to)
  await throttle(deps, 'transfer-start:user', input.userId, TRANSFER_RULES.startsPerUser)
  return withContext(deps.db, SYSTEM, async (trx) => {
    await expireWithin(trx, deps.ring, deps.now, { ticketId: input.ticketId })
    const ticket = await lockTicketForTransfer(trx, input.ticketId)
    if (!ticket || ticket.user_id !== input.userId) throw new NotFoundError()
    assertTransferable(ticket, deps.now)
    const pending = await trx.selectFrom('transfers').select('id').where('ticket_id', '=', ticket.id).where('status', '=', 'pending').executeTakeFirst()
    if (pending) throw new DomainError(409, 'transfer_pending', 'transfers.alreadyPending')
    const sender = await contactOf(trx, input.userId)
    const address = sender && senderAddress(sender)
    if (!sender || !address) throw new DomainError(409, 'no_contact', 'transfers.noContact')
    if (recipient.contact === sender.phone || recipient.contact === sender.email?.toLowerCase()) {
      throw new DomainError(422, 'transfer_to_self', 'transfers.toSelf')
    }
    const id = crypto.randomUUID()
    const code = randomDigits(6)
    await trx.insertInto('transfers').values({
      id, tenant_id: ticket.tenant_id, ticket_id: ticket.id, from_user_id: input.userId, status: 'pending',
      to_contact: recipient.contact, to_channel: recipient.channel, lang: deps.lang,
      created_at: deps.now, expires_at: new Date(deps.now.getTime() + PENDING_TTL_MS), transfer_fee_minor: ticket.transfer_fee_minor,
      sender_code_hash: await codeHash(id, 'sender', code), sender_code_expires_at: new Date(deps.now.getTime() + CODE_TTL_MS),
      old_qr_version: ticket.qr_version, old_qr_hash: ticket.qr_code ? await sha256Hex(ticket.qr_code) : null,
    }).execute()
    // from initiation the old QR no longer admits: its version is no longer the ticket's, and no code is live
    await trx.updateTable('tickets').set({ qr_version: ticket.qr_version + 1, qr_code: null, updated_at: deps.now })
      .where('id', '=', ticket.id).execute()
    await enqueueNotification(trx, {
      type: 'transfer_otp', ...address, tenantId: ticket.tenant_id, userId: input.userId, eventId: ticket.event_id, ticketId: ticket.id,
      lang: deps.lang, now: deps.now, ring: deps.ring, secrets: { code },
    })
    return id
  })
}

/** The sender's code: once right, the recipient gets their link and code (after the fee is paid, where there is one). */
export async function confirmTransfer(deps: TransferDeps, input: { transferId: string; userId: string; code: string }): Promise<void> {
  await throttle(deps, 'transfer-code:ip', deps.clientIp, TRANSFER_RULES.attemptsPerAddress)
  const failure = await withContext(deps.db, SYSTEM, async (trx) => {
    await expireWithin(trx, deps.ring, deps.now, { transferId: input.transferId })
    const transfer = await lockTransfer(trx, input.transferId)
    if (!transfer || transfer.from_user_id !== input.userId) throw new NotFoundError()
    assertPending(transfer)
    if (transfer.sender_confirmed_at) throw new DomainError(409, 'already_confirmed', 'transfers.alreadyConfirmed')
    const verdict = await judgeCode(transfer, { hash: transfer.sender_code_hash, expiresAt: transfer.sender_code_expires_at, attempts: transfer.sender_attempts }, 'sender', input.code, deps.now)
    if (verdict !== 'ok') {
      if (verdict === 'wrong') {
        await trx.updateTable('transfers').set({ sender_attempts: transfer.sender_attempts + 1 }).where('id', '=', transfer.id).execute()
      }
      return codeError(verdict, MAX_CODE_ATTEMPTS - transfer.sender_attempts - 1)
    }
    await trx.updateTable('transfers').set({ sender_confirmed_at: deps.now, sender_code_hash: null, otp_verified: true })
      .where('id', '=', transfer.id).execute()
    // with a fee, the recipient is asked only once it is paid (src/transfers/transfer-fees.ts)
    if (!feeDue(transfer)) await askRecipient(trx, deps, transfer)
    return undefined
  })
  if (failure) throw failure
}

/** A fresh code for one side (the last one ran out or was locked), within the resend limit. */
export async function resendCode(deps: TransferDeps, input: { transferId: string; userId: string } | { link: string }): Promise<void> {
  const side: Side = 'link' in input ? 'recipient' : 'sender'
  await withContext(deps.db, SYSTEM, async (trx) => {
    const found = 'link' in input ? await findTransferByLink(trx, await sha256Hex(input.link)) : { id: input.transferId }
    const transfer = found && await lockTransfer(trx, found.id)
    if (!transfer || ('userId' in input && transfer.from_user_id !== input.userId)) throw new NotFoundError()
    assertPending(transfer, deps.now)
    if (side === 'sender' && transfer.sender_confirmed_at) throw new DomainError(409, 'already_confirmed', 'transfers.alreadyConfirmed')
    if (side === 'recipient' && (!transfer.sender_confirmed_at || feeDue(transfer))) throw new NotFoundError()
    await throttle(deps, `transfer-resend:${side}`, transfer.id, TRANSFER_RULES.resendsPerSide)
    if (side === 'sender') {
      const code = randomDigits(6)
      await trx.updateTable('transfers').set({
        sender_code_hash: await codeHash(transfer.id, 'sender', code), sender_code_expires_at: new Date(deps.now.getTime() + CODE_TTL_MS), sender_attempts: 0,
      }).where('id', '=', transfer.id).execute()
      const sender = await contactOf(trx, transfer.from_user_id)
      const address = sender && senderAddress(sender)
      if (!address) throw new DomainError(409, 'no_contact', 'transfers.noContact')
      await enqueueNotification(trx, {
        type: 'transfer_otp', ...address, tenantId: transfer.tenant_id, userId: transfer.from_user_id, ticketId: transfer.ticket_id,
        lang: deps.lang, now: deps.now, ring: deps.ring, secrets: { code },
      })
    } else {
      await sendRecipientCode(trx, deps, transfer, (input as { link: string }).link)
    }
  })
}

/** Whether the transfer still waits for its fee: the event charges one and no payment of it completed. */
export function feeDue(transfer: { transfer_fee_minor: number; fee_paid_at: Date | null }): boolean {
  return transfer.transfer_fee_minor > 0 && transfer.fee_paid_at === null
}

/** What sending the recipient's message needs: the clock, the keys, and the site for the link. */
export type RecipientDeps = Pick<TransferDeps, 'now' | 'ring' | 'origin'>

/** The recipient's link (kept as a hash) and code go out: the transfer now waits for them to accept. */
export async function askRecipient(trx: Trx, deps: RecipientDeps, transfer: Parameters<typeof sendRecipientCode>[2]): Promise<void> {
  const link = randomToken(32)
  await trx.updateTable('transfers').set({ recipient_link_hash: await sha256Hex(link) }).where('id', '=', transfer.id).execute()
  await sendRecipientCode(trx, deps, transfer, link)
}

/** The recipient's message (the link) and code; a new code resets its attempts. */
async function sendRecipientCode(trx: Trx, deps: RecipientDeps, transfer: { id: string; tenant_id: string; ticket_id: string; from_user_id: string; to_contact: string; to_channel: 'whatsapp' | 'email'; lang: string }, link: string) {
  const code = randomDigits(6)
  await trx.updateTable('transfers').set({
    recipient_code_hash: await codeHash(transfer.id, 'recipient', code),
    recipient_code_expires_at: new Date(deps.now.getTime() + CODE_TTL_MS), recipient_attempts: 0,
  }).where('id', '=', transfer.id).execute()
  const ticket = await trx.selectFrom('tickets as t').innerJoin('events as e', 'e.id', 't.event_id').leftJoin('users as u', 'u.id', 't.user_id')
    .select(['e.id as event_id', 'e.title', 'e.starts_at', 'e.venue_name', 'e.venue_city', 'u.name as sender_name'])
    .where('t.id', '=', transfer.ticket_id).executeTakeFirstOrThrow()
  const lang: Lang = transfer.lang === 'sw' ? 'sw' : 'en'
  const address = transfer.to_channel === 'email'
    ? { channel: 'email' as const, email: transfer.to_contact } : { channel: 'whatsapp' as const, phone: transfer.to_contact }
  const common = { ...address, tenantId: transfer.tenant_id, userId: null, eventId: ticket.event_id, ticketId: transfer.ticket_id, lang, now: deps.now, ring: deps.ring }
  await enqueueNotification(trx, {
    ...common, type: 'transfer_received',
    data: { buyerName: ticket.sender_name ?? '', eventTitle: ticket.title, eventStart: formatDateTime(ticket.starts_at, lang), venue: `${ticket.venue_name}, ${ticket.venue_city}` },
    secrets: { ticketsLink: `${deps.origin}/transfers/accept/${link}` },
  })
  await enqueueNotification(trx, { ...common, type: 'transfer_otp', secrets: { code } })
}

export interface Accepted {
  recipient: { id: string; role: string; is_guest: boolean }
  ticketId: string
}

/** The recipient's link and code: the ticket becomes theirs with a new QR version, once. */
export async function acceptTransfer(deps: TransferDeps, input: { link: string; code: string; transferId?: string }): Promise<Accepted> {
  await throttle(deps, 'transfer-code:ip', deps.clientIp, TRANSFER_RULES.attemptsPerAddress)
  const outcome = await withContext(deps.db, SYSTEM, async (trx): Promise<Accepted | DomainError> => {
    const found = await findTransferByLink(trx, await sha256Hex(input.link))
    if (!found || (input.transferId !== undefined && found.id !== input.transferId)) throw new NotFoundError()
    await expireWithin(trx, deps.ring, deps.now, { transferId: found.id })
    const transfer = await lockTransfer(trx, found.id)
    if (!transfer || !transfer.sender_confirmed_at || feeDue(transfer)) throw new NotFoundError()
    assertPending(transfer)
    const verdict = await judgeCode(transfer, { hash: transfer.recipient_code_hash, expiresAt: transfer.recipient_code_expires_at, attempts: transfer.recipient_attempts }, 'recipient', input.code, deps.now)
    if (verdict !== 'ok') {
      if (verdict === 'wrong') {
        await trx.updateTable('transfers').set({ recipient_attempts: transfer.recipient_attempts + 1 }).where('id', '=', transfer.id).execute()
      }
      return codeError(verdict, MAX_CODE_ATTEMPTS - transfer.recipient_attempts - 1)
    }
    const ticket = await lockTicketForTransfer(trx, transfer.ticket_id)
    // the ticket was cancelled (event cancelled, refund) while the transfer waited: nothing to hand over
    if (!ticket || ticket.status !== 'active' || ticket.user_id !== transfer.from_user_id) {
      await trx.updateTable('transfers').set({ status: 'cancelled', ended_at: deps.now }).where('id', '=', transfer.id).execute()
      return new DomainError(409, 'ticket_not_active', 'transfers.notActive')
    }
    const recipient = await findPersonByContact(trx, transfer.to_contact, transfer.to_channel)
      ?? await createGuestFor(trx, transfer.to_contact, transfer.to_channel)
    const fresh = await nextCode(trx, deps.ring, ticket, deps.now)
    await trx.updateTable('tickets').set((eb) => ({
      user_id: recipient.id, qr_code: fresh.code, qr_version: fresh.qrVersion, transfer_count: eb('transfer_count', '+', 1), updated_at: deps.now,
    })).where('id', '=', ticket.id).execute()
    await trx.updateTable('transfers').set({
      status: 'completed', to_user_id: recipient.id, completed_at: deps.now, recipient_code_hash: null, recipient_link_hash: null,
      new_qr_version: fresh.qrVersion, new_qr_hash: await sha256Hex(fresh.code),
    }).where('id', '=', transfer.id).execute()
    await confirmBoth(trx, deps, transfer, recipient.id, ticket)
    return { recipient, ticketId: ticket.id }
  })
  if (outcome instanceof DomainError) throw outcome
  return outcome
}

async function confirmBoth(trx: Trx, deps: TransferDeps, transfer: { tenant_id: string; from_user_id: string; ticket_id: string }, recipientId: string, ticket: { event_id: string; title: string }) {
  for (const userId of [transfer.from_user_id, recipientId]) {
    const person = await contactOf(trx, userId)
    const address = person && senderAddress(person)
    if (!address) continue
    await enqueueNotification(trx, {
      type: 'transfer_confirmation', ...address, tenantId: transfer.tenant_id, userId, eventId: ticket.event_id, ticketId: transfer.ticket_id,
      lang: deps.lang, now: deps.now, ring: deps.ring,
      data: { buyerName: person.name ?? '', eventTitle: ticket.title, ticketsLink: `${deps.origin}/tickets` },
    })
  }
}

/** The sender takes the ticket back before it is accepted: a fresh QR version is theirs. */
export async function cancelTransfer(deps: TransferDeps, input: { transferId: string; userId: string }): Promise<void> {
  await withContext(deps.db, SYSTEM, async (trx) => {
    const transfer = await lockTransfer(trx, input.transferId)
    if (!transfer || transfer.from_user_id !== input.userId) throw new NotFoundError()
    assertPending(transfer)
    await endTransfer(trx, deps.ring, transfer, deps.now, 'cancelled')
  })
}

/** Ends a pending transfer (cancelled or expired) and, when the ticket still can, re-arms the sender's QR. */
export async function endTransfer(trx: Trx, ring: KeyRing | undefined, transfer: { id: string; ticket_id: string; from_user_id: string }, now: Date, status: 'cancelled' | 'expired') {
  await trx.updateTable('transfers').set({
    status, ended_at: now, sender_code_hash: null, recipient_code_hash: null, recipient_link_hash: null,
  }).where('id', '=', transfer.id).execute()
  const ticket = await lockTicketForTransfer(trx, transfer.ticket_id)
  if (!ticket || ticket.status !== 'active' || ticket.user_id !== transfer.from_user_id) return
  const fresh = await nextCode(trx, ring, ticket, now)
  await trx.updateTable('tickets').set({ qr_code: fresh.code, qr_version: fresh.qrVersion, updated_at: now }).where('id', '=', ticket.id).execute()
  await trx.updateTable('transfers').set({ new_qr_version: fresh.qrVersion, new_qr_hash: await sha256Hex(fresh.code) }).where('id', '=', transfer.id).execute()
}

export function assertPending(transfer: { status: string; expires_at: Date }, now?: Date) {
  if (transfer.status !== 'pending' || (now && transfer.expires_at <= now)) {
    throw new DomainError(409, `transfer_${transfer.status === 'pending' ? 'expired' : transfer.status}`, 'transfers.over')
  }
}

/** Expires the due pending transfers in scope, inside the caller's transaction. */
async function expireWithin(trx: Trx, ring: KeyRing | undefined, now: Date, scope: { ticketId?: string; transferId?: string; fromUserId?: string }) {
  let query = trx.selectFrom('transfers').select('id').where('status', '=', 'pending').where('expires_at', '<=', now)
  if (scope.ticketId) query = query.where('ticket_id', '=', scope.ticketId)
  if (scope.transferId) query = query.where('id', '=', scope.transferId)
  if (scope.fromUserId) query = query.where('from_user_id', '=', scope.fromUserId)
  for (const due of await query.execute()) {
    const transfer = await lockTransfer(trx, due.id)
    if (transfer?.status === 'pending' && transfer.expires_at <= now) await endTransfer(trx, ring, transfer, now, 'expired')
  }
}

/** The periodic sweep (and a wallet's own, before it is shown): pending transfers past 24 hours end. Returns how many. */
export function expireDueTransfers(db: Database, ring: KeyRing | undefined, now: Date, fromUserId?: string): Promise<number> {
  return withContext(db, SYSTEM, async (trx) => {
    const due = await lockDueTransfers(trx, now, fromUserId)
    for (const transfer of due) await endTransfer(trx, ring, transfer, now, 'expired')
    return due.length
  })
}
