/**
 * The organiser's resale payouts: `/manage/events/{id}/payouts` lists every payout of the event with its
 * state, and `POST …/payouts/{payoutId}/paid` marks one that waits to be paid by hand as paid (with the
 * M-Pesa reference). Managers of the active tenant only; another tenant's event or payout is a 404.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { PayoutsPage, type PayoutsPageProps } from '../../views/payouts/payouts-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { formatMoney } from '../i18n/format.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { maskPhone } from '../lib/phone.ts'
import { eventPayouts, markPaidByHand, markPaidForm } from './payout-manual.ts'

export const payoutRoutes = factory.createApp()
payoutRoutes.use('/manage/events/:eventId/payouts', requireManager)
payoutRoutes.use('/manage/events/:eventId/payouts/*', requireManager)

function idParam(c: Context<AppEnv>, name: string): string {
  const id = z.uuid().safeParse(c.req.param(name))
  if (!id.success) throw new NotFoundError()
  return id.data
}

async function payoutsPage(c: Context<AppEnv>, eventId: string, extra: { status?: 409 | 422; failed?: PayoutsPageProps['failed'] } = {}) {
  const { tenantId } = staffMember(c)
  const data = await withUserContext(c, (trx) => eventPayouts(trx, tenantId, eventId))
  if (!data) throw new NotFoundError()
  const paid = c.req.query('paid')
  const marked = extra.failed ? undefined : data.payouts.find((payout) => payout.id === paid && payout.status === 'completed')
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('payouts.page.title', { event: data.event.title }),
    status: extra.status,
    body: <PayoutsPage t={c.var.t} lang={c.var.lang} event={data.event} payouts={data.payouts} totals={data.totals} failed={extra.failed}
      notice={marked && c.var.t('payouts.page.marked', { amount: formatMoney(marked.amount_minor, marked.currency, c.var.lang), phone: maskPhone(marked.phone) })} />,
  })
}

payoutRoutes.get('/manage/events/:eventId/payouts', (c) => payoutsPage(c, idParam(c, 'eventId')))

payoutRoutes.post('/manage/events/:eventId/payouts/:payoutId/paid', async (c) => {
  const eventId = idParam(c, 'eventId')
  const payoutId = idParam(c, 'payoutId')
  const form = await readForm(c, markPaidForm)
  if (!form.ok) return payoutsPage(c, eventId, { status: 422, failed: { payoutId, errors: form.errors, values: form.values } })
  try {
    const member = staffMember(c)
    await withUserContext(c, (trx) => markPaidByHand(trx, { tenantId: member.tenantId, userId: member.userId }, eventId, payoutId, form.data, c.var.now))
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return payoutsPage(c, eventId, { status: failure.status as 409, failed: { payoutId, errors: failure.errors, values: form.values } })
  }
  return c.redirect(`/manage/events/${eventId}/payouts?paid=${payoutId}`, 303)
})
