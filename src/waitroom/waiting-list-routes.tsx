/**
 * The waiting list: GET and POST /events/{slug}/waiting-list (sign up for a sold-out type), and the offer's
 * link, GET and POST /waiting-list/{id}/{token} (the page, then taking the offer up in this browser).
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { OfferPage, WaitingListPage } from '../../views/waitroom/waiting-list-pages.tsx'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { salesState } from '../events/availability.ts'
import { listTicketTypesOfEvent } from '../events/queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { requirePublicOrigin } from '../http/public-origin.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { browserIdOf, grantAdmission } from './admission.ts'
import { findQueueEvent, type QueueEvent } from './queue-queries.ts'
import { waitingListForm } from './waiting-list-form.ts'
import { claimOffer, joinWaitingList, offerOfLink, offerStands } from './waiting-list.ts'

export const waitingListRoutes = factory.createApp()

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/)

async function soldOutTypes(c: Context<AppEnv>): Promise<{ event: QueueEvent; types: Array<{ id: string; name: string }> }> {
  const slug = slugSchema.safeParse(c.req.param('slug'))
  if (!slug.success) throw new NotFoundError()
  const found = await withContext(c.var.db, ANONYMOUS, async (trx) => {
    const event = await findQueueEvent(trx, slug.data, c.var.now)
    return event && { event, types: await listTicketTypesOfEvent(trx, event.id, c.var.now) }
  })
  if (!found) throw new NotFoundError()
  const types = found.types.filter((type) => salesState(type, c.var.now) === 'sold_out').map(({ id, name }) => ({ id, name }))
  return { event: found.event, types }
}

function listPage(c: Context<AppEnv>, event: QueueEvent, types: Array<{ id: string; name: string }>, form?: { values: FormValues; errors: FieldErrors }) {
  return renderPage(c, {
    title: c.var.t('waitlist.title', { title: event.title }),
    status: form ? 422 : 200,
    body: <WaitingListPage t={c.var.t} slug={event.slug} title={event.title} types={types} values={form?.values ?? {}}
      errors={form?.errors} joined={!form && c.req.query('joined') === '1'} />,
  })
}

waitingListRoutes.get('/events/:slug/waiting-list', async (c) => {
  const { event, types } = await soldOutTypes(c)
  return listPage(c, event, types)
})

waitingListRoutes.post('/events/:slug/waiting-list', async (c) => {
  const { event, types } = await soldOutTypes(c)
  const form = await readForm(c, waitingListForm)
  if (!form.ok) return listPage(c, event, types, form)
  if (!types.some((type) => type.id === form.data.ticketTypeId)) {
    return listPage(c, event, types, { values: form.values, errors: { ticketTypeId: c.var.t('waitlist.notSoldOut') } })
  }
  await joinWaitingList(c.var.db, {
    tenantId: event.tenant_id, eventId: event.id, ticketTypeId: form.data.ticketTypeId, ...form.data.contact,
    lang: c.var.lang, origin: requirePublicOrigin(c),
  }, c.var.now)
  return c.redirect(`/events/${event.slug}/waiting-list?joined=1`, 303)
})

waitingListRoutes.get('/waiting-list/:id/:token', async (c) => {
  const offer = await offerOfLink(c.var.db, c.req.param('id'), c.req.param('token'))
  c.header('Cache-Control', 'no-store')
  c.header('Referrer-Policy', 'no-referrer')
  if (!offerStands(offer, c.var.now)) {
    return renderPage(c, { title: c.var.t('waitlist.offer.goneTitle'), status: 410, body: <p>{c.var.t('waitlist.offer.gone')}</p> })
  }
  return renderPage(c, {
    title: c.var.t('waitlist.offer.title', { title: offer.title }),
    body: <OfferPage t={c.var.t} lang={c.var.lang} title={offer.title} typeName={offer.type_name} until={offer.offered_until!} action={c.req.path} />,
  })
})

waitingListRoutes.post('/waiting-list/:id/:token', async (c) => {
  const offer = await offerOfLink(c.var.db, c.req.param('id'), c.req.param('token'))
  const until = await claimOffer(c.var.db, offer, c.var.now)
  // the offer binds to this browser, as an admission out of the waiting room does
  await grantAdmission(c, offer.event_id, browserIdOf(c), until.getTime())
  return c.redirect(`/events/${offer.slug}`, 303)
})
