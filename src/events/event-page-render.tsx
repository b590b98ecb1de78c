/**
 * The buyer's event page, rendered by its own route and again by the hold form when a hold did not work
 * (with the buyer's choice and the message), so both routes share it from here rather than from a route.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { EventPage, type EventPageProps } from '../../views/events/event-page.tsx'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { renderPage } from '../http/render.tsx'
import { findPublicEvent, listTicketTypesOfEvent } from './queries.ts'
import { resaleOffersOf } from '../resale/resale-reads.ts'

/** Resale tickets listed on the event page itself. */
const RESALE_ON_EVENT_PAGE = 5

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/)

/** The event page; shown again with the buyer's choice and a message when a hold did not work. */
export async function eventPage(c: Context<AppEnv>, slugParam: string, reserve?: EventPageProps['reserve'], status?: ContentfulStatusCode) {
  const slug = slugSchema.safeParse(slugParam)
  if (!slug.success) throw new NotFoundError()
  const found = await withContext(c.var.db, ANONYMOUS, async (trx) => {
    const event = await findPublicEvent(trx, { slug: slug.data })
    return event && { event, ticketTypes: await listTicketTypesOfEvent(trx, event.id, c.var.now) }
  })
  if (!found) throw new NotFoundError()
  // a few resale tickets on the page itself (it stays small); the rest at /events/{slug}/resale
  const offers = found.event.allow_resale ? await resaleOffersOf(c.var.db, found.event.id, c.var.now, RESALE_ON_EVENT_PAGE + 1) : []
  return renderPage(c, {
    title: found.event.title,
    status,
    body: <EventPage t={c.var.t} lang={c.var.lang} now={c.var.now} {...found} reserve={reserve}
      resale={offers.length ? { offers: offers.slice(0, RESALE_ON_EVENT_PAGE), more: offers.length > RESALE_ON_EVENT_PAGE } : undefined} />,
  })
}
