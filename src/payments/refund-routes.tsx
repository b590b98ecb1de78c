/**
 * The organiser's refunds: an event's refund progress (/manage/events/{id}/refunds, polled by htmx while
 * refunds move), and one order with its refund form (/manage/payments/{id}, POST …/refund). Managers of
 * the active tenant only; another tenant's event or payment is a 404.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { OrderRefundPage, RefundProgressPage } from '../../views/payments/refund-pages.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { formatMoney } from '../i18n/format.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { markRefundedByHand, refundByHandForm } from './manual-refunds.ts'
import { orderRefundForm, refundOrder } from './order-refunds.ts'
import { findOrder, listRefunds, tenantEvent } from './refund-queries.ts'
import { queueRefundSweep, refundProgress } from './refunds.ts'

export const refundRoutes = factory.createApp()
refundRoutes.use('/manage/events/:eventId/refunds', requireManager)
refundRoutes.use('/manage/payments/:transactionId', requireManager)
refundRoutes.use('/manage/payments/:transactionId/refund', requireManager)
refundRoutes.use('/manage/payments/:transactionId/refunds/:refundId/done', requireManager)

function idParam(c: Context<AppEnv>, name: string): string {
  const id = z.uuid().safeParse(c.req.param(name))
  if (!id.success) throw new NotFoundError()
  return id.data
}

refundRoutes.get('/manage/events/:eventId/refunds', async (c) => {
  const eventId = idParam(c, 'eventId')
  const { tenantId } = staffMember(c)
  const data = await withUserContext(c, async (trx) => {
    const event = await tenantEvent(trx, tenantId, eventId)
    if (!event) return undefined
    return { event, progress: await refundProgress(trx, tenantId, eventId), refunds: await listRefunds(trx, { tenantId, eventId }) }
  })
  if (!data) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('refunds.progress.title', { event: data.event.title }),
    scripts: ['htmx', 'tikiti'],
    body: <RefundProgressPage t={c.var.t} lang={c.var.lang} event={data.event} progress={data.progress} refunds={data.refunds}
      self={`/manage/events/${eventId}/refunds`} />,
  })
})

async function orderPage(c: Context<AppEnv>, transactionId: string, extra: { status?: 409 | 422 | 400 | 403 | 404 | 429 | 413 | 503; error?: string; values?: { reason?: string; tickets?: string[] } } = {}) {
  const { tenantId } = staffMember(c)
  const data = await withUserContext(c, async (trx) => {
    const order = await findOrder(trx, tenantId, transactionId)
    if (!order) return undefined
    // one payment's refunds, not every refund of the tenant (thousands after a cancellation) filtered here
    return { order, refunds: await listRefunds(trx, { tenantId, transactionId }) }
  })
  if (!data) throw new NotFoundError()
  const amount = c.req.query('refunded') ?? c.req.query('byHand')
  const notice = amount && /^\d{1,9}$/.test(amount)
    ? c.var.t(c.req.query('byHand') ? 'refunds.byHand.done' : 'refunds.order.done', { amount: formatMoney(Number(amount), data.order.payment.currency, c.var.lang) })
    : undefined
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('refunds.order.title'),
    status: extra.status,
    body: <OrderRefundPage t={c.var.t} lang={c.var.lang} order={data.order} refunds={data.refunds} notice={extra.error ? undefined : notice}
      error={extra.error} values={extra.values} />,
  })
}

refundRoutes.get('/manage/payments/:transactionId', (c) => orderPage(c, idParam(c, 'transactionId')))

refundRoutes.post('/manage/payments/:transactionId/refund', async (c) => {
  const transactionId = idParam(c, 'transactionId')
  const form = await readForm(c, orderRefundForm)
  const typed = {
    reason: typeof form.values.reason === 'string' ? form.values.reason : '',
    tickets: ([] as string[]).concat(form.values.tickets ?? []),
  }
  if (!form.ok) return orderPage(c, transactionId, { status: 422, error: Object.values(form.errors)[0], values: typed })
  let amount: number
  try {
    const member = staffMember(c)
    amount = await withUserContext(c, (trx) => refundOrder(trx, { tenantId: member.tenantId, userId: member.userId }, transactionId, form.data, c.var.now))
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return orderPage(c, transactionId, { status: failure.status as 409, error: failure.errors._form, values: typed })
  }
  await queueRefundSweep(c.var.services.scheduler, c.var.now)
  return c.redirect(`/manage/payments/${transactionId}?refunded=${amount}`, 303)
})

refundRoutes.post('/manage/payments/:transactionId/refunds/:refundId/done', async (c) => {
  const transactionId = idParam(c, 'transactionId')
  const refundId = idParam(c, 'refundId')
  const form = await readForm(c, refundByHandForm)
  if (!form.ok) return orderPage(c, transactionId, { status: 422, error: Object.values(form.errors)[0] })
  let amount: number
  try {
    const member = staffMember(c)
    amount = await withUserContext(c, (trx) =>
      markRefundedByHand(trx, { tenantId: member.tenantId, userId: member.userId }, { transactionId, refundId }, form.data, c.var.now))
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return orderPage(c, transactionId, { status: failure.status as 409, error: failure.errors._form })
  }
  return c.redirect(`/manage/payments/${transactionId}?byHand=${amount}`, 303)
})
