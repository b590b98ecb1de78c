/** /dev/outbox: every message that would have gone out. Development and tests only; 404 in production. */
import { OutboxPage } from '../../views/notifications/outbox-page.tsx'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { listRecentMessages } from './outbox-queries.ts'

export const outboxRoutes = factory.createApp()

outboxRoutes.get('/dev/outbox', async (c) => {
  if (c.var.config.mode === 'production') throw new NotFoundError()
  const messages = await withContext(c.var.db, SYSTEM, (trx) => listRecentMessages(trx, 100))
  c.header('Cache-Control', 'no-store')
  return renderPage(c, {
    title: c.var.t('outbox.title'),
    body: <OutboxPage t={c.var.t} lang={c.var.lang} messages={messages as Parameters<typeof OutboxPage>[0]['messages']} />,
  })
})
