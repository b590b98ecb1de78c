/**
 * Who acts for a ticket through the JSON API (transfers and resale listings): the owner's session (an
 * account, or a guest signed in by their private link: that is a session too), or, for tickets bought
 * through the API, the bearer token of the reservation that bought them (`Authorization: Bearer …`).
 * A reservation's token acts only on that reservation's tickets, and only while they are still its
 * buyer's: not once resold or transferred away. Anything else is a 404, as a thing that does not exist.
 * A request that sends a bearer token is judged by it alone, whatever its cookies say.
 */
import type { Context } from 'hono'
import type { Transaction } from 'kysely'
import type { DB } from '../db/schema.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import type { TicketOwner } from './people.ts'
import {
  buyerOfReservationListing, buyerOfReservationTicket, buyerOfReservationTransfer, findPaidReservationByTokenHash,
} from './ticket-owner-queries.ts'

export type { TicketOwner }

/** How the owner routes are described in the OpenAPI document: the reservation's token, or the session cookie. */
export const OWNER_SECURITY: Array<Record<string, string[]>> = [{ reservationToken: [] }, { sessionCookie: [] }]

const BEARER = /^Bearer ([A-Za-z0-9_-]{20,200})$/

/** Resolves the acting owner of this request (or none) for `ticketOwner(c)`. */
export const ticketOwnerAuth = factory.createMiddleware(async (c, next) => {
  const header = c.req.header('authorization')
  let owner: TicketOwner | null = null
  if (header !== undefined) {
    const token = BEARER.exec(header.trim())?.[1]
    const reservation = token && await withContext(c.var.db, SYSTEM, async (trx) => findPaidReservationByTokenHash(trx, await sha256Hex(token)))
    if (reservation) owner = { kind: 'reservation', reservationId: reservation.id, since: reservation.created_at }
  } else if (c.var.user) {
    owner = { kind: 'session', userId: c.var.user.id }
  }
  c.set('ticketOwner', owner)
  await next()
})

/** The acting owner that ticketOwnerAuth found, or null (nobody: answer 404). */
export function ticketOwner(c: Context<AppEnv>): TicketOwner | null {
  return c.var.ticketOwner ?? null
}

type Which = 'ticket' | 'transfer' | 'listing'

const BUYER_OF = {
  ticket: buyerOfReservationTicket, transfer: buyerOfReservationTransfer, listing: buyerOfReservationListing,
} satisfies Record<Which, (db: Transaction<DB>, id: string, reservation: { id: string; created_at: Date }) => Promise<string | null | undefined>>

/**
 * The person to act as on this ticket, transfer or listing: the session's user (the services check it is
 * theirs), or the buyer a reservation's token stands for when the thing is that reservation's. Else 404.
 */
export async function actingOwner(c: Context<AppEnv>, which: Which, id: string): Promise<string> {
  const owner = ticketOwner(c)
  if (!owner) throw new NotFoundError()
  if (owner.kind === 'session') return owner.userId
  const userId = await withContext(c.var.db, SYSTEM, (trx) => BUYER_OF[which](trx, id, { id: owner.reservationId, created_at: owner.since }))
  if (!userId) throw new NotFoundError()
  return userId
}

/** Reads as the acting owner: what is theirs, through row-level security. */
export function withOwnerContext<T>(c: Context<AppEnv>, userId: string, work: Parameters<typeof withContext<T>>[2]): Promise<T> {
  return withContext(c.var.db, { role: 'buyer', userId }, work)
}
