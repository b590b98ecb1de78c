/**
 * What a scan means, from the ticket as the database holds it. Pure, so the server and the tests read
 * the same rules. Reasons are stable words for programs; the scanner page translates them.
 */
import type { TicketStatus } from '../db/schema.ts'
import type { VerifyFailure } from '../tickets/signed-code.ts'

export type ScanOutcome = 'valid' | 'duplicate' | 'invalid' | 'transferred' | 'cancelled' | 'unpaid'
export type ScanReason =
  | 'malformed' | 'forged' | 'other_event' | 'future_dated' | 'not_issued' | 'old_version' | 'transferred'
  | 'cancelled' | 'refunded' | 'not_paid' | 'already_used'

export interface ScanAnswer {
  result: ScanOutcome
  reason?: ScanReason
  ticket?: { id: string; type: string; holderFirstName?: string }
  firstScan?: { at: string; gate: string | null; deviceId: string | null }
}

/** A code that failed its signature check, as the gate says it. */
export function refusedCode(failure: VerifyFailure): ScanAnswer {
  if (failure === 'wrong_event') return { result: 'invalid', reason: 'other_event' }
  if (failure === 'future_dated') return { result: 'invalid', reason: 'future_dated' }
  if (failure === 'malformed') return { result: 'invalid', reason: 'malformed' }
  return { result: 'invalid', reason: 'forged' }
}

export interface TicketAtGate {
  status: TicketStatus
  qrVersion: number
  /** A refund of the ticket's purchase is due, asked for or made. */
  refunded: boolean
}

/**
 * Why a ticket with a genuine code was not admitted by the admission statement (which admits only an
 * active ticket at its current QR version). 'used' is left to the caller: it needs the first scan.
 */
export function refusedTicket(ticket: TicketAtGate, codeVersion: number): ScanAnswer | 'used' {
  switch (ticket.status) {
    case 'cancelled':
      return { result: 'cancelled', reason: ticket.refunded ? 'refunded' : 'cancelled' }
    case 'available': case 'pending_payment': case 'paid': case 'expired':
      return { result: 'unpaid', reason: 'not_paid' }
    case 'transferred':
      return { result: 'transferred', reason: 'transferred' }
    default:
      if (ticket.qrVersion !== codeVersion) return { result: 'transferred', reason: 'old_version' }
      return ticket.status === 'used' ? 'used' : { result: 'invalid', reason: 'not_issued' }
  }
}

/** The first word of a name, for the green screen ("Amina"), never the whole name. */
export function firstName(name: string | null | undefined): string | undefined {
  const first = name?.trim().split(/\s+/)[0]
  return first ? first.slice(0, 40) : undefined
}
