/** A manager's page of an event's resale: listings, sales, fees and payouts (read-only). Another tenant's event answers 404. */
import { z } from 'zod'
import { ResaleLog } from '../../views/resale/resale-log.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { findTenantEvent } from '../transfers/transfer-queries.ts'
import { listingsOfEvent, resaleTotalsOfEvent } from './listing-queries.ts'

export const resaleManageRoutes = factory.createApp()

resaleManageRoutes.get('/manage/events/:eventId/resale', requireManager, async (c) => {
  const staff = staffMember(c)
  const eventId = z.uuid().safeParse(c.req.param('eventId'))
  if (!eventId.success) throw new NotFoundError()
  const data = await withUserContext(c, async (trx) => {
    const event = await findTenantEvent(trx, staff.tenantId, eventId.data)
    return event && { event, rows: await listingsOfEvent(trx, event.id, c.var.now), totals: await resaleTotalsOfEvent(trx, event.id) }
  })
  if (!data) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('resale.manage.title', { event: data.event.title }),
    body: <ResaleLog t={c.var.t} lang={c.var.lang} title={data.event.title} currency={data.rows[0]?.currency ?? 'KES'} totals={data.totals} rows={data.rows} />,
  })
})
