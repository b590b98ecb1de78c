/**
 * The organiser portal's events: list, create, edit, duplicate, change status, ticket types and poster
 * (the ticket template has its own page: template-routes.tsx). Managers of the active tenant only; other tenants' events answer 404.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { ManageEventPage } from '../../views/events/manage-event-page.tsx'
import { ManageEventsList, NewEventPage } from '../../views/events/manage-events-list.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import { findTenantEvent, listTenantEvents, listTicketTypesForManager, setEventUpload } from './manage-queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { checkUpload } from '../storage/uploads.ts'
import { uploadBodyLimit } from '../storage/upload-limit.ts'
import { queueRefundSweep } from '../payments/refunds.ts'
import { parseNairobiLocal } from '../lib/nairobi-time.ts'
import { publicOrigin } from '../http/public-origin.ts'
import { cancelEvent } from './cancellation.ts'
import { movesSoldEvent, postponeEvent, soldCount } from './postponement.ts'
import { eventForm, statusForm, ticketTypeForm } from './form-schemas.ts'
import {
  addTicketType, changeStatus, committedByType, createEvent, deleteTicketType, duplicateEvent, lockEvent, updateEvent,
  inventoryRules, updateTicketType, type Actor,
} from './manage-service.ts'
import { scheduleRemindersFor } from '../notifications/reminders.ts'

export const manageEventRoutes = factory.createApp()
manageEventRoutes.use('/manage/events', requireManager)
manageEventRoutes.use('/manage/events/*', requireManager)

const uuid = z.uuid()

function actorOf(c: Context<AppEnv>): Actor {
  const { tenantId, userId } = staffMember(c)
  return { tenantId, userId }
}

function eventIdOf(c: Context<AppEnv>): string {
  const id = uuid.safeParse(c.req.param('eventId'))
  if (!id.success) throw new NotFoundError()
  return id.data
}

const NOTICES = {
  created: 'manage.events.created', saved: 'manage.events.saved', status: 'manage.events.statusChanged',
  duplicated: 'manage.events.duplicated', uploaded: 'upload.saved', typeSaved: 'manage.events.saved',
  cancelled: 'events.cancelledNotice', postponed: 'events.postpone.saved',
} as const

type Failed = { form: string; values: FormValues; errors: FieldErrors; status: DomainError['status'] }

async function eventPage(c: Context<AppEnv>, eventId: string, failed?: Failed, postpone?: { values: FormValues; sold: number; error?: string }) {
  const actor = actorOf(c)
  const data = await withUserContext(c, async (trx) => {
    const event = await findTenantEvent(trx, actor.tenantId, eventId)
    if (!event) return undefined
    const types = await listTicketTypesForManager(trx, eventId)
    const committed = await committedByType(trx, eventId, c.var.now)
    return { event, ticketTypes: types.map((type) => ({ ...type, committed: committed.get(type.id) ?? 0 })) }
  })
  if (!data) throw new NotFoundError()
  const key = c.req.query('notice') as keyof typeof NOTICES
  const notice = NOTICES[key] && c.var.t(NOTICES[key])
  return renderPage(c, {
    title: data.event.title,
    status: failed?.status ?? (postpone ? (postpone.error ? 422 : 409) : undefined),
    scripts: ['htmx', 'tikiti'],
    body: <ManageEventPage t={c.var.t} lang={c.var.lang} event={data.event} ticketTypes={data.ticketTypes}
      hasTemplate={!!data.event.ticket_template_url} notice={key === 'typeSaved' ? undefined : notice}
      ticketTypesNotice={key === 'typeSaved' ? notice : undefined} failed={failed} postpone={postpone} />,
  })
}

/** Runs a change; a domain failure re-renders the event page with the failed form's message. */
async function attempt(c: Context<AppEnv>, eventId: string, form: string, values: FormValues, change: () => Promise<unknown>, notice: keyof typeof NOTICES) {
  try {
    await change()
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return eventPage(c, eventId, { form, values, errors: failure.errors, status: failure.status })
  }
  return c.redirect(`/manage/events/${eventId}?notice=${notice}`, 303)
}

manageEventRoutes.get('/manage/events', async (c) => {
  const actor = actorOf(c)
  const events = await withUserContext(c, (trx) => listTenantEvents(trx, actor.tenantId, { newestFirst: true }))
  return renderPage(c, { title: c.var.t('manage.events'), body: <ManageEventsList t={c.var.t} lang={c.var.lang} events={events} /> })
})

const NEW_EVENT_DEFAULTS: FormValues = {
  holdMinutes: '10', maxTransfers: '2', transferFee: '0', resalePriceCapPct: '110', resaleFeePct: '0', allowTransfers: 'on',
}

manageEventRoutes.get('/manage/events/new', (c) =>
  renderPage(c, { title: c.var.t('manage.events.new'), body: <NewEventPage t={c.var.t} values={NEW_EVENT_DEFAULTS} /> }))

manageEventRoutes.post('/manage/events', async (c) => {
  const form = await readForm(c, eventForm)
  const page = (status: DomainError['status'], errors: FieldErrors) =>
    renderPage(c, { title: c.var.t('manage.events.new'), status, body: <NewEventPage t={c.var.t} values={form.values} errors={errors} /> })
  if (!form.ok) return page(422, form.errors)
  try {
    const id = await withUserContext(c, (trx) => createEvent(trx, actorOf(c), form.data, c.var.now, inventoryRules(c.var.config)))
    return c.redirect(`/manage/events/${id}?notice=created`, 303)
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, failure.errors)
  }
})

manageEventRoutes.get('/manage/events/:eventId', (c) => eventPage(c, eventIdOf(c)))

manageEventRoutes.post('/manage/events/:eventId', async (c) => {
  const eventId = eventIdOf(c)
  const form = await readForm(c, eventForm)
  if (!form.ok) return eventPage(c, eventId, { form: 'event', values: form.values, errors: form.errors, status: 422 })
  // a new date for an event people hold tickets for: asked first, then the holders are told
  const sold = await withUserContext(c, async (trx) => {
    const event = await lockEvent(trx, actorOf(c), eventId)
    const count = await soldCount(trx, eventId)
    return movesSoldEvent(event, form.data, count) ? count : 0
  })
  if (sold > 0) {
    if (form.values.postpone !== 'confirm') return eventPage(c, eventId, undefined, { values: form.values, sold })
    const deadline = typeof form.values.refundDeadline === 'string' ? parseNairobiLocal(form.values.refundDeadline) : null
    try {
      await withUserContext(c, (trx) => postponeEvent(trx, actorOf(c), eventId, form.data, deadline, c.var.now,
        inventoryRules(c.var.config), publicOrigin(c) ?? ''))
      // the new start gets its own reminders; the old ones find the start changed and do nothing
      await scheduleRemindersFor(c.var.db, c.var.services.scheduler, eventId, c.var.now)
    } catch (error) {
      if (error instanceof NotFoundError) throw error
      return eventPage(c, eventId, undefined, { values: form.values, sold, error: formError(c, error).errors._form })
    }
    return c.redirect(`/manage/events/${eventId}?notice=postponed`, 303)
  }
  return attempt(c, eventId, 'event', form.values,
    async () => {
      await withUserContext(c, (trx) => updateEvent(trx, actorOf(c), eventId, form.data, c.var.now, inventoryRules(c.var.config)))
      // a moved start gets its own reminders; the old ones find the start changed and do nothing
      await scheduleRemindersFor(c.var.db, c.var.services.scheduler, eventId, c.var.now)
    }, 'saved')
})

manageEventRoutes.post('/manage/events/:eventId/duplicate', async (c) => {
  const eventId = eventIdOf(c)
  let copyId: string
  try {
    copyId = await withUserContext(c, (trx) => duplicateEvent(trx, actorOf(c), eventId, c.var.t('events.copySuffix'), inventoryRules(c.var.config)))
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    // shown with the status and copy buttons
    const failure = formError(c, error)
    return eventPage(c, eventId, { form: 'status', values: {}, errors: failure.errors, status: failure.status })
  }
  return c.redirect(`/manage/events/${copyId}?notice=duplicated`, 303)
})

manageEventRoutes.post('/manage/events/:eventId/status', async (c) => {
  const eventId = eventIdOf(c)
  const form = await readForm(c, statusForm)
  if (!form.ok) return eventPage(c, eventId, { form: 'status', values: form.values, errors: form.errors, status: 422 })
  if (form.data.status === 'cancelled') {
    return attempt(c, eventId, 'status', form.values, async () => {
      await withUserContext(c, (trx) => cancelEvent(trx, actorOf(c), eventId, c.var.now))
      // the sweep sends the refunds a few at a time; ask for a run now rather than at the next tick
      await queueRefundSweep(c.var.services.scheduler, c.var.now)
    }, 'cancelled')
  }
  return attempt(c, eventId, 'status', form.values,
    async () => {
      await withUserContext(c, (trx) => changeStatus(trx, actorOf(c), eventId, form.data.status, c.var.now))
      await scheduleRemindersFor(c.var.db, c.var.services.scheduler, eventId, c.var.now)
    }, 'status')
})

manageEventRoutes.post('/manage/events/:eventId/ticket-types', async (c) => {
  const eventId = eventIdOf(c)
  const form = await readForm(c, ticketTypeForm)
  if (!form.ok) return eventPage(c, eventId, { form: 'new-type', values: form.values, errors: form.errors, status: 422 })
  return attempt(c, eventId, 'new-type', form.values,
    () => withUserContext(c, (trx) => addTicketType(trx, actorOf(c), eventId, form.data, inventoryRules(c.var.config))), 'typeSaved')
})

manageEventRoutes.post('/manage/events/:eventId/ticket-types/:typeId', async (c) => {
  const eventId = eventIdOf(c)
  const typeId = uuid.safeParse(c.req.param('typeId'))
  if (!typeId.success) throw new NotFoundError()
  const form = await readForm(c, ticketTypeForm)
  if (!form.ok) return eventPage(c, eventId, { form: typeId.data, values: form.values, errors: form.errors, status: 422 })
  return attempt(c, eventId, typeId.data, form.values,
    () => withUserContext(c, (trx) => updateTicketType(trx, actorOf(c), eventId, typeId.data, form.data, c.var.now, inventoryRules(c.var.config))), 'typeSaved')
})

manageEventRoutes.post('/manage/events/:eventId/ticket-types/:typeId/delete', async (c) => {
  const eventId = eventIdOf(c)
  const typeId = uuid.safeParse(c.req.param('typeId'))
  if (!typeId.success) throw new NotFoundError()
  return attempt(c, eventId, typeId.data, {},
    () => withUserContext(c, (trx) => deleteTicketType(trx, actorOf(c), eventId, typeId.data, c.var.now)), 'typeSaved')
})

manageEventRoutes.post('/manage/events/:eventId/poster', uploadBodyLimit, async (c) => {
  const eventId = eventIdOf(c)
  let file: unknown
  try {
    file = (await c.req.parseBody())['file']
  } catch {
    file = undefined
  }
  return attempt(c, eventId, 'poster', {}, () => withUserContext(c, async (trx) => {
    const actor = actorOf(c)
    await lockEvent(trx, actor, eventId)
    const upload = await checkUpload(file, 'poster')
    const blobId = await c.var.services.blobStore.put(trx, {
      tenantId: actor.tenantId, purpose: 'poster', contentType: upload.contentType, bytes: upload.bytes, isPublic: true,
    })
    await setEventUpload(trx, eventId, 'poster', `/media/${blobId}`)
  }), 'uploaded')
})
