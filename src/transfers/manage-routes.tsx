/** A manager's audit trail of an event's transfers. Another tenant's event answers 404. */
import { z } from 'zod'
import { TransferLog } from '../../views/transfers/transfer-log.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { findTenantEvent, transfersOfEvent } from './transfer-queries.ts'

export const transferManageRoutes = factory.createApp()

transferManageRoutes.get('/manage/events/:eventId/transfers', requireManager, async (c) => {
  const staff = staffMember(c)
  const eventId = z.uuid().safeParse(c.req.param('eventId'))
  if (!eventId.success) throw new NotFoundError()
  const data = await withUserContext(c, async (trx) => {
    const event = await findTenantEvent(trx, staff.tenantId, eventId.data)
    return event && { event, rows: await transfersOfEvent(trx, event.id) }
  })
  if (!data) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('transferLog.title', { event: data.event.title }),
    body: <TransferLog t={c.var.t} lang={c.var.lang} title={data.event.title} rows={data.rows} />,
  })
})
