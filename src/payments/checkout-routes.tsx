/**
 * Checkout as pages: the buyer enters a phone on the hold page and gets the STK prompt; the page says
 * "Check your phone" and follows the payment (a status fragment polled every few seconds, or the
 * Refresh link without JavaScript) until it is paid, failed or refunded.
 */
import { z } from 'zod'
import { PaymentPending } from '../../views/payments/checkout.tsx'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { readForm } from '../http/forms.ts'
import { holdOf, showHold } from '../tickets/hold-page.tsx'
import { findReservation } from '../tickets/reservations.ts'
import { holdLimits } from '../tickets/hold-limits.ts'
import { publicOrigin } from '../http/public-origin.ts'
import { latestPaymentOf, paymentJson, startPayment } from './checkout-service.ts'

export const checkoutRoutes = factory.createApp()

const payForm = z.object({
  phone: z.string().max(40, 'form.tooLong'),
  // generous here: the service says what is wrong with an email, in the buyer's language
  email: z.string().max(1000, 'form.tooLong').optional(),

  channel: z.string().max(100, 'form.tooLong').optional(),
})

checkoutRoutes.post('/reservations/:id/pay', async (c) => {
  const hold = await holdOf(c)
  const form = await readForm(c, payForm)
  const phone = form.ok ? form.data.phone : ''
  const email = form.ok ? form.data.email : undefined
  const channel = form.ok ? form.data.channel : undefined
  try {
    await startPayment(c.var.db, c.var.services, {
      reservationId: hold.id, token: hold.token, phone, email, channel, userId: c.var.user?.id ?? null,
      origin: publicOrigin(c), lang: c.var.lang, now: c.var.now, maxHoldsPerPhone: holdLimits(c.var.config).perPhone,
    })
  } catch (error) {
    if (!(error instanceof DomainError) || error.status === 404) throw error
    return showHold(c, hold, { phone, email, channel, payError: c.var.t(error.messageKey, error.params), status: error.status })
  }
  return c.redirect(`/reservations/${hold.id}`, 303)
})

/** The pending block again while the prompt is open; once it has ended, a redirect to the full page. */
checkoutRoutes.get('/reservations/:id/payment-status', async (c) => {
  const hold = await holdOf(c)
  const reservation = await findReservation(c.var.db, hold.id, hold.token, c.var.now)
  if (!reservation) throw new NotFoundError()
  const payment = await withContext(c.var.db, SYSTEM, (trx) => latestPaymentOf(trx, hold.id))
  c.header('Cache-Control', 'no-store')
  c.header('Vary', 'HX-Request', { append: true })
  if (payment?.status !== 'pending' || c.req.header('HX-Request') !== 'true') {
    if (c.req.header('HX-Request') === 'true') {
      c.header('HX-Redirect', `/reservations/${hold.id}`)
      return c.body(null, 200)
    }
    return c.redirect(`/reservations/${hold.id}`, 303)
  }
  return c.html(<PaymentPending t={c.var.t} lang={c.var.lang} reservationId={hold.id} payment={paymentJson(payment)}
    simulatedPhoneUrl={c.var.config.simulatedPhoneUrl} />)
})
