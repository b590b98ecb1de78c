/**
 * An event's ticket template in the organiser portal: `/manage/events/{id}/template` is the guide (page
 * size, where the QR and the text land, the upload form), `POST` there uploads a background (PNG, JPEG or
 * a one-page PDF, checked by its bytes), `…/template/sample.pdf` is a sample ticket on it and
 * `POST …/template/remove` takes it away. Managers of the active tenant only; another tenant's event is a 404.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { TemplateGuidePage } from '../../views/events/template-guide-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { formError, type FieldErrors } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError, type DomainError } from '../lib/domain-errors.ts'
import { uploadBodyLimit } from '../storage/upload-limit.ts'
import { buildSamplePdf } from '../tickets/ticket-pdf-service.ts'
import type { Actor } from './manage-service.ts'
import { removeTicketTemplate, templateGuideData, uploadTicketTemplate } from './template-service.ts'

export const templateRoutes = factory.createApp()
templateRoutes.use('/manage/events/:eventId/template', requireManager)
templateRoutes.use('/manage/events/:eventId/template/*', requireManager)

function actorOf(c: Context<AppEnv>): Actor {
  const { tenantId, userId } = staffMember(c)
  return { tenantId, userId }
}

function eventIdOf(c: Context<AppEnv>): string {
  const id = z.uuid().safeParse(c.req.param('eventId'))
  if (!id.success) throw new NotFoundError()
  return id.data
}

const NOTICES = { uploaded: 'upload.saved', removed: 'template.guide.removed' } as const

async function guidePage(c: Context<AppEnv>, eventId: string, failed?: { errors: FieldErrors; status: DomainError['status'] }) {
  const data = await withUserContext(c, (trx) => templateGuideData(trx, actorOf(c), eventId))
  const key = c.req.query('notice') as keyof typeof NOTICES
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('template.guide.title', { title: data.event.title }),
    status: failed?.status,
    body: <TemplateGuidePage t={c.var.t} event={data.event} template={data.template} errors={failed?.errors}
      notice={!failed && NOTICES[key] ? c.var.t(NOTICES[key]) : undefined} />,
  })
}

templateRoutes.get('/manage/events/:eventId/template', (c) => guidePage(c, eventIdOf(c)))

templateRoutes.post('/manage/events/:eventId/template', uploadBodyLimit, async (c) => {
  const eventId = eventIdOf(c)
  let body: Record<string, unknown> = {}
  try {
    body = await c.req.parseBody()
  } catch {
    body = {}
  }
  try {
    await withUserContext(c, (trx) => uploadTicketTemplate(trx, c.var.services.blobStore, actorOf(c), eventId, body['file']))
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    // refused: nothing was stored (the transaction rolled back); the guide says why, beside its upload form
    const failure = formError(c, error)
    return guidePage(c, eventId, failure)
  }
  // the guide's own form comes back to the guide; the event page's form to the event page, as before
  return c.redirect(body['back'] === 'guide' ? `/manage/events/${eventId}/template?notice=uploaded` : `/manage/events/${eventId}?notice=uploaded`, 303)
})

templateRoutes.get('/manage/events/:eventId/template/sample.pdf', async (c) => {
  const eventId = eventIdOf(c)
  const pdf = await withUserContext(c, (trx) => buildSamplePdf(trx, c.var.services.blobStore, actorOf(c).tenantId, eventId, c.var.lang,
    () => c.set('logNote', 'ticket_template_unusable')))
  if (!pdf) throw new NotFoundError()
  c.header('Content-Type', 'application/pdf')
  c.header('Content-Disposition', 'inline; filename="sample-ticket.pdf"')
  c.header('Cache-Control', 'private, no-store')
  return c.body(new Uint8Array(pdf))
})

templateRoutes.post('/manage/events/:eventId/template/remove', async (c) => {
  const eventId = eventIdOf(c)
  await withUserContext(c, (trx) => removeTicketTemplate(trx, actorOf(c), eventId))
  return c.redirect(`/manage/events/${eventId}/template?notice=removed`, 303)
})
