/**
 * /manage/messages: a manager words their buyers' messages (per type and language) and follows what was
 * sent (/manage/messages/log, with "send again"); /admin/messages/log: the super admin sees every
 * tenant's. Managers work in their tenant's context (RLS) with an explicit tenant filter on top.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { MessageLogPage, TemplateEditor, TemplatesPage } from '../../views/notifications/messages-pages.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, requireSuperAdmin, staffMember } from '../accounts/guards.ts'
import { listTenantEvents } from '../events/manage-queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { readForm } from '../http/forms.ts'
import { publicOrigin } from '../http/public-origin.ts'
import { renderPage } from '../http/render.tsx'
import { isLang, type Lang } from '../i18n/index.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import type { NotificationStatus } from '../db/schema.ts'
import {
  isTenantType, listMessageLog, listTemplates, LOG_STATUSES, resetTemplate, saveTemplate, sendAgain, templateInUse, type TenantMessageType,
} from './message-admin.ts'
import { fillText, PLACEHOLDERS, sampleValues } from './templates.ts'

export const messageRoutes = factory.createApp()
messageRoutes.use('/manage/messages', requireManager)
messageRoutes.use('/manage/messages/*', requireManager)
messageRoutes.use('/admin/messages/*', requireSuperAdmin)

const NOTICES = { saved: 'messages.saved', reset: 'messages.resetDone', requeued: 'messages.log.requeued' } as const
const noticeOf = (c: Context<AppEnv>) => {
  const key = NOTICES[c.req.query('notice') as keyof typeof NOTICES]
  return key ? c.var.t(key) : undefined
}

function templateOf(c: Context<AppEnv>): { type: TenantMessageType; lang: Lang } {
  const type = c.req.param('type') ?? ''
  const lang = c.req.param('lang')
  if (!isTenantType(type) || !isLang(lang)) throw new NotFoundError()
  return { type, lang }
}

messageRoutes.get('/manage/messages', async (c) => {
  const templates = await withUserContext(c, (trx) => listTemplates(trx, staffMember(c).tenantId))
  return renderPage(c, { title: c.var.t('messages.title'), body: <TemplatesPage t={c.var.t} templates={templates} notice={noticeOf(c)} /> })
})

async function editor(c: Context<AppEnv>, edited?: { subject: string; body: string; error: string }) {
  const { type, lang } = templateOf(c)
  const current = await withUserContext(c, (trx) => templateInUse(trx, staffMember(c).tenantId, type, lang))
  const subject = edited?.subject ?? current.subject
  const body = edited?.body ?? current.body
  const sample = sampleValues(lang, publicOrigin(c) ?? '')
  return renderPage(c, {
    title: c.var.t('messages.title'),
    status: edited ? 422 : undefined,
    body: <TemplateEditor t={c.var.t} type={type} lang={lang} subject={subject} body={body} custom={current.custom}
      placeholders={PLACEHOLDERS[type]} preview={{ subject: fillText(subject, sample), text: fillText(body, sample) }}
      error={edited?.error} notice={noticeOf(c)} />,
  })
}

messageRoutes.get('/manage/messages/:type/:lang', (c) => editor(c))

const templateForm = z.object({ subject: z.string().max(200, 'form.tooLong'), body: z.string().max(5000, 'form.tooLong') })

messageRoutes.post('/manage/messages/:type/:lang', async (c) => {
  const { type, lang } = templateOf(c)
  const form = await readForm(c, templateForm)
  if (!form.ok) {
    return editor(c, { subject: String(form.values.subject ?? ''), body: String(form.values.body ?? ''), error: c.var.t('form.tooLong', { max: 5000 }) })
  }
  const staff = staffMember(c)
  try {
    await withUserContext(c, (trx) => saveTemplate(trx, { tenantId: staff.tenantId, userId: staff.userId }, type, lang, form.data, c.var.now))
  } catch (error) {
    if (!(error instanceof DomainError)) throw error
    return editor(c, { ...form.data, error: c.var.t(error.messageKey, error.params) })
  }
  return c.redirect(`/manage/messages/${type}/${lang}?notice=saved`, 303)
})

messageRoutes.post('/manage/messages/:type/:lang/reset', async (c) => {
  const { type, lang } = templateOf(c)
  await withUserContext(c, (trx) => resetTemplate(trx, staffMember(c).tenantId, type, lang))
  return c.redirect(`/manage/messages/${type}/${lang}?notice=reset`, 303)
})

function logFilter(c: Context<AppEnv>) {
  const event = z.uuid().safeParse(c.req.query('event'))
  const status = c.req.query('status')
  return {
    eventId: event.success ? event.data : undefined,
    status: (LOG_STATUSES as readonly string[]).includes(status ?? '') ? status as NotificationStatus : undefined,
  }
}

messageRoutes.get('/manage/messages/log', async (c) => {
  const staff = staffMember(c)
  const filter = logFilter(c)
  const { rows, events } = await withUserContext(c, async (trx) => ({
    rows: await listMessageLog(trx, { tenantId: staff.tenantId, ...filter }),
    events: await listTenantEvents(trx, staff.tenantId),
  }))
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('messages.log.title'),
    body: <MessageLogPage t={c.var.t} lang={c.var.lang} scope="tenant" rows={rows} events={events} filter={filter}
      action="/manage/messages/log" notice={noticeOf(c)} />,
  })
})

const messageIdOf = (c: Context<AppEnv>) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  return id.data
}

messageRoutes.post('/manage/messages/log/:id/resend', async (c) => {
  const id = messageIdOf(c)
  await withUserContext(c, (trx) => sendAgain(trx, staffMember(c).tenantId, id, c.var.now))
  return c.redirect('/manage/messages/log?notice=requeued', 303)
})

messageRoutes.get('/admin/messages/log', async (c) => {
  const filter = logFilter(c)
  const rows = await withUserContext(c, (trx) => listMessageLog(trx, { status: filter.status }))
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('messages.log.title'),
    body: <MessageLogPage t={c.var.t} lang={c.var.lang} scope="platform" rows={rows} events={[]} filter={filter}
      action="/admin/messages/log" notice={noticeOf(c)} />,
  })
})

messageRoutes.post('/admin/messages/log/:id/resend', async (c) => {
  const id = messageIdOf(c)
  await withUserContext(c, (trx) => sendAgain(trx, undefined, id, c.var.now))
  return c.redirect('/admin/messages/log?notice=requeued', 303)
})
