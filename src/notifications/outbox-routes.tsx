/**
 * /dev/outbox: every message that would have gone out, rendered as its sender would send it (links
 * opened, so a developer can follow them). Development and tests only; 404 in production.
 */
import { OutboxPage } from '../../views/notifications/outbox-page.tsx'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { listRecentMessages } from './outbox-queries.ts'
import { renderNotification } from './render.ts'

export const outboxRoutes = factory.createApp()

outboxRoutes.get('/dev/outbox', async (c) => {
  if (c.var.config.mode === 'production') throw new NotFoundError()
  // a channel with a real sender really sends: its messages (reset links, ticket links) are not shown to
  // whoever opens this page, as on a staging server left in development mode
  const { email, whatsapp } = c.var.services.senders
  const channels = [...(email.name === 'outbox' ? ['email' as const] : []), ...(whatsapp.name === 'outbox' ? ['whatsapp' as const] : [])]
  const messages = await withContext(c.var.db, SYSTEM, async (trx) => {
    const rows = await listRecentMessages(trx, channels, 100)
    return Promise.all(rows.map(async (row) => {
      const rendered = await renderNotification(trx, row, c.var.services.secretKeys).catch(() => undefined)
      return { ...row, content: { to: rendered?.to, subject: rendered?.subject, body: rendered?.text ?? '' } }
    }))
  })
  c.header('Cache-Control', 'no-store')
  return renderPage(c, {
    title: c.var.t('outbox.title'),
    body: <OutboxPage t={c.var.t} lang={c.var.lang} messages={messages} />,
  })
})
