/** A stored message made ready to send: its template (the tenant's, the producer's or the catalog's) filled with its values and opened secrets. */
import type { Queryable } from '../db/database.ts'
import { isLang } from '../i18n/index.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { findTemplate } from './notification-queries.ts'
import { openSecrets, type NotificationContent } from './outbox.ts'
import { defaultTemplate, fillHtml, fillText, type Template } from './templates.ts'

export interface RenderedMessage {
  to: string
  subject: string
  text: string
  html: string
}

export interface StoredNotification {
  id: string
  tenant_id: string | null
  type: string
  lang: string
  content: unknown
}

/** The wording that applies: the tenant's own, else the producer's, else the catalog's. */
export async function templateFor(trx: Queryable, row: StoredNotification, content: NotificationContent): Promise<Template> {
  const lang = isLang(row.lang) ? row.lang : 'en'
  const own = row.tenant_id ? await findTemplate(trx, row.tenant_id, row.type, lang) : undefined
  if (own) return own
  if (typeof content.body === 'string') return { subject: content.subject ?? defaultTemplate(row.type, lang)?.subject ?? 'Tikiti', body: content.body }
  const fallback = defaultTemplate(row.type, lang)
  if (!fallback) throw new Error(`no template for message type ${row.type}`)
  return fallback
}

export async function renderNotification(trx: Queryable, row: StoredNotification, ring: KeyRing | undefined): Promise<RenderedMessage> {
  const content = (row.content ?? {}) as NotificationContent
  if (typeof content.to !== 'string' || !content.to) throw new Error('the message has no recipient')
  const template = await templateFor(trx, row, content)
  const values = { ...(content.data ?? {}), ...(await openSecrets(row.id, content, ring)) }
  return { to: content.to, subject: fillText(template.subject, values), text: fillText(template.body, values), html: fillHtml(template.body, values) }
}
