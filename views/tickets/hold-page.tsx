import type { ReservationJson } from '../../src/tickets/reservations.ts'
import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import type { PaymentJson } from '../../src/payments/checkout-service.ts'
import { Notice } from '../components/form.tsx'
import { PayForm, PaymentPending, PaymentProblem } from '../payments/checkout.tsx'
import { TicketCard } from './ticket-card.tsx'

export interface HoldPageProps {
  t: Translator
  lang: Lang
  reservation: ReservationJson
  eventPath: string
  now: Date
  notice?: string
  /** The latest payment attempt, if any. */
  payment?: PaymentJson
  /** The phone to offer in the pay form, and a problem with the last submission. */
  phone?: string
  /** What the buyer typed for messages, kept when the form comes back with a problem. */
  email?: string
  channel?: string
  payError?: string
  simulatedPhoneUrl?: string
}

export function HoldPage({ t, lang, reservation, eventPath, now, notice, payment, phone, email, channel, payError, simulatedPhoneUrl }: HoldPageProps) {
  const held = reservation.status === 'held'
  const pending = payment?.status === 'pending'
  const remaining = Math.max(0, Math.round((Date.parse(reservation.expiresAt) - now.getTime()) / 1000))
  return (
    <section class="narrow">
      {notice && <Notice kind="success">{notice}</Notice>}
      {held
        ? (
          <>
            <h1>{t('hold.title')}</h1>
            <p>{t('hold.expiresAt', { time: formatDateTime(new Date(reservation.expiresAt), lang) })}</p>
            {/* the countdown is an enhancement (static/assets/tikiti-*.js): without JavaScript the line above says when it ends */}
            <p class="countdown" data-remaining={String(remaining)} data-template={t('hold.countdown')}>
              {t('hold.countdown', { time: `${Math.floor(remaining / 60)}:${String(remaining % 60).padStart(2, '0')}` })}
            </p>
            <ul class="tiers">
              {reservation.items.map((item) => (
                <li class="tier">
                  <span>{item.quantity} × {item.name}</span>
                  <span class="price">{formatMoney(item.subtotalMinor, reservation.total.currency, lang)}</span>
                </li>
              ))}
            </ul>
            <p><strong>{t('hold.total')}: {formatMoney(reservation.total.amountMinor, reservation.total.currency, lang)}</strong></p>
            {pending
              ? <PaymentPending t={t} lang={lang} reservationId={reservation.id} payment={payment!} simulatedPhoneUrl={simulatedPhoneUrl} />
              : (
                <>
                  {payment && <PaymentProblem t={t} payment={payment} />}
                  <p class="muted">{t('hold.payNext')}</p>
                  <PayForm t={t} lang={lang} reservationId={reservation.id} amountMinor={reservation.total.amountMinor}
                    currency={reservation.total.currency} phone={phone} email={email} channel={channel} error={payError} retry={payment?.status === 'failed'} />
                  <form method="post" action={`/reservations/${reservation.id}/release`}>
                    <button class="secondary">{t('hold.release')}</button>
                  </form>
                </>
              )}
          </>
        )
        : reservation.status === 'paid'
        ? (
          <>
            <h1>{t('tickets.paidTitle')}</h1>
            <ul class="cards">
              {(reservation.tickets ?? []).map((ticket) => (
                <TicketCard t={t} status={ticket.status} code={ticket.code}
                  typeName={reservation.items.find((item) => item.ticketTypeId === ticket.ticketTypeId)?.name ?? ''} />
              ))}
            </ul>
            <p><a class="button secondary" href={`/reservations/${reservation.id}/tickets.pdf`}>{t('tickets.downloadPdf')}</a></p>
          </>
        )
        : (
          <>
            <h1>{t('hold.orderTitle')}</h1>
            {pending
              ? <PaymentPending t={t} lang={lang} reservationId={reservation.id} payment={payment!} simulatedPhoneUrl={simulatedPhoneUrl} />
              : payment?.reason?.code === 'refund'
              ? <PaymentProblem t={t} payment={payment} />
              : <Notice>{t('hold.expired')}</Notice>}
          </>
        )}
      <p><a href={eventPath}>{t('hold.backToEvent')}</a></p>
    </section>
  )
}
