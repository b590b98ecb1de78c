import type { PaymentJson } from '../../src/payments/checkout-service.ts'
import { formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { Notice } from '../components/form.tsx'

export interface PayFormProps {
  t: Translator
  lang: Lang
  reservationId: string
  amountMinor: number
  currency: string
  phone?: string
  email?: string
  channel?: string
  error?: string
  retry?: boolean
}

const CHANNELS = [['whatsapp', 'checkout.channel.whatsapp'], ['email', 'checkout.channel.email'], ['both', 'checkout.channel.both']] as const

export function PayForm({ t, lang, reservationId, amountMinor, currency, phone, email, channel, error, retry }: PayFormProps) {
  const chosen = channel ?? (email ? 'both' : 'whatsapp')
  return (
    <form method="post" action={`/reservations/${reservationId}/pay`} class="pay">
      {error && <Notice kind="error">{error}</Notice>}
      <p class={error ? 'field invalid' : 'field'}>
        <label for="pay-phone">{t('checkout.phoneLabel')}</label>
        <input id="pay-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required value={phone ?? ''}
          placeholder="0712 345 678" aria-describedby="pay-phone-hint" />
        <span class="muted" id="pay-phone-hint">{t('checkout.phoneHint')}</span>
      </p>
      <p class="field">
        <label for="pay-email">{t('checkout.emailLabel')}</label>
        <input id="pay-email" name="email" type="email" autocomplete="email" value={email ?? ''} maxlength={254} aria-describedby="pay-email-hint" />
        <span class="muted" id="pay-email-hint">{t('checkout.emailHint')}</span>
      </p>
      <fieldset class="field channels" aria-describedby="pay-channel-hint">
        <legend>{t('checkout.channelLabel')}</legend>
        {CHANNELS.map(([value, key]) => (
          <label class="choice"><input type="radio" name="channel" value={value} checked={chosen === value} /> {t(key)}</label>
        ))}
        <span class="muted" id="pay-channel-hint">{t('checkout.channelHint')}</span>
      </fieldset>
      <button>{retry ? t('checkout.retry') : t('checkout.pay', { amount: formatMoney(amountMinor, currency, lang) })}</button>
    </form>
  )
}

export interface PaymentStatusProps {
  t: Translator
  lang: Lang
  reservationId: string
  payment: PaymentJson
  /** Development: where the Daraja simulator's phone shows the prompt. */
  simulatedPhoneUrl?: string
}

/**
 * The "check your phone" block. While the payment is pending, static/assets/tikiti-*.js polls
 * data-poll every 3 s and swaps the answer in; the server answers HX-Redirect once it has ended.
 * Without JavaScript the Refresh link does the same.
 */
export function PaymentPending({ t, lang, reservationId, payment, simulatedPhoneUrl }: PaymentStatusProps) {
  const statusPath = `/reservations/${reservationId}/payment-status`
  return (
    <div class="payment pending" data-poll={statusPath} aria-live="polite">
      <h2>{t('checkout.checkPhoneTitle')}</h2>
      <p>{t('checkout.checkPhoneBody', { phone: payment.phone ?? '', amount: formatMoney(payment.amount.amountMinor, payment.amount.currency, lang) })}</p>
      <p class="muted">{t('checkout.waiting')} <a href={`/reservations/${reservationId}`}>{t('checkout.refresh')}</a></p>
      {simulatedPhoneUrl && (
        <p class="notice info">{t('checkout.simulatorHint')} <a href={simulatedPhoneUrl} target="_blank" rel="noopener">{t('checkout.simulatorLink')}</a></p>
      )}
    </div>
  )
}

/** What the buyer reads when the last attempt failed or must be refunded. */
export function PaymentProblem({ t, payment }: { t: Translator; payment: PaymentJson }) {
  if (!payment.reason) return null
  const refund = payment.reason.code === 'refund'
  return (
    <div class={refund ? 'payment refund' : 'payment failed'}>
      <h2>{refund ? t('checkout.refundTitle') : t('checkout.failedTitle')}</h2>
      <Notice kind="error">{t(payment.reason.message)}</Notice>
    </div>
  )
}
