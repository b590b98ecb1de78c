/**
 * What may be transferred, to whom, and the one-time codes both sides type. Codes are six digits, kept
 * only as a SHA-256 bound to the transfer and the side, work once, for 10 minutes, with 5 attempts.
 */
import { z } from 'zod'
import { DomainError } from '../lib/domain-errors.ts'
import { constantTimeEqualText, sha256Hex } from '../lib/crypto.ts'
import { normalizeKenyanPhone } from '../lib/phone.ts'
import type { RateRule } from '../ratelimit/rate-limiter.ts'

export const CODE_TTL_MS = 10 * 60 * 1000
export const MAX_CODE_ATTEMPTS = 5
export const PENDING_TTL_MS = 24 * 3600 * 1000

export const TRANSFER_RULES = {
  /** Transfers one person starts: each sends a message to an address they typed. */
  startsPerUser: { limit: 10, windowSeconds: 60 * 60 },
  /** New codes asked for one side of one transfer. */
  resendsPerSide: { limit: 3, windowSeconds: 60 * 60 },
  /** Codes typed from one network address, whatever the transfer: against guessing across many transfers. */
  attemptsPerAddress: { limit: 30, windowSeconds: 10 * 60 },
} satisfies Record<string, RateRule>

export type Side = 'sender' | 'recipient'

export interface Recipient {
  contact: string
  channel: 'whatsapp' | 'email'
}

/** A Kenyan phone (WhatsApp) or an email; anything else is refused with 422. */
export function parseRecipient(input: string): Recipient {
  const text = input.trim()
  const phone = normalizeKenyanPhone(text)
  if (phone) return { contact: phone, channel: 'whatsapp' }
  const email = z.email().max(254).safeParse(text)
  if (email.success) return { contact: email.data.toLowerCase(), channel: 'email' }
  throw new DomainError(422, 'invalid_recipient', 'transfers.badRecipient')
}

export function codeHash(transferId: string, side: Side, code: string): Promise<string> {
  return sha256Hex(`transfer:${transferId}:${side}:${code}`)
}

export const CODE_PATTERN = /^\d{6}$/

/** A typed code in the right shape, else 422 (nothing counted: it cannot be anyone's code). */
export function parseCode(input: unknown): string {
  const code = typeof input === 'string' ? input.replace(/\s/g, '') : ''
  if (!CODE_PATTERN.test(code)) throw new DomainError(422, 'invalid_code', 'transfers.codeFormat')
  return code
}

export type CodeVerdict = 'ok' | 'wrong' | 'expired' | 'locked'

/** Checks a code against one side's stored hash, expiry and attempts. */
export async function judgeCode(
  transfer: { id: string }, stored: { hash: string | null; expiresAt: Date | null; attempts: number }, side: Side, code: string, now: Date,
): Promise<CodeVerdict> {
  if (stored.attempts >= MAX_CODE_ATTEMPTS) return 'locked'
  if (!stored.hash || !stored.expiresAt || stored.expiresAt <= now) return 'expired'
  return constantTimeEqualText(await codeHash(transfer.id, side, code), stored.hash) ? 'ok' : 'wrong'
}

/** The domain error for a code that did not work. */
export function codeError(verdict: Exclude<CodeVerdict, 'ok'>, attemptsLeft: number): DomainError {
  if (verdict === 'locked') return new DomainError(409, 'code_locked', 'transfers.codeLocked')
  if (verdict === 'expired') return new DomainError(409, 'code_expired', 'transfers.codeExpired')
  return new DomainError(422, 'wrong_code', 'transfers.wrongCode', { left: attemptsLeft })
}

export interface TransferableTicket {
  status: string
  event_status: string
  allow_transfers: boolean
  max_transfers: number
  transfer_count: number
  transfer_fee_minor: number
  starts_at: Date
  listed: boolean | number | string
}

/** The event's limits and the ticket's state: a 409 naming the reason when it may not move. */
export function assertTransferable(ticket: TransferableTicket, now: Date): void {
  const refuse = (code: string, key: Parameters<typeof newError>[1], params?: Record<string, number>) => {
    throw newError(code, key, params)
  }
  if (ticket.status === 'used') refuse('ticket_used', 'transfers.used')
  if (ticket.status !== 'active' || ticket.event_status === 'cancelled') refuse('ticket_not_active', 'transfers.notActive')
  if (!ticket.allow_transfers) refuse('transfers_not_allowed', 'transfers.notAllowed')
  if (now >= ticket.starts_at) refuse('event_started', 'transfers.eventStarted')
  if (ticket.transfer_count >= ticket.max_transfers) refuse('transfer_limit', 'transfers.limitReached', { max: ticket.max_transfers })
  if (ticket.listed === true || ticket.listed === 1 || ticket.listed === '1') refuse('ticket_listed', 'transfers.listed')
  // a fee (transfer_fee_minor) does not stop a transfer: the sender pays it by STK Push before the recipient is asked
}

function newError(code: string, key: ConstructorParameters<typeof DomainError>[2], params?: Record<string, number>) {
  return new DomainError(409, code, key, params)
}
