import { raw } from 'hono/html'
import { formatCount, formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import type { RefundListing } from '../../src/payments/refund-queries.ts'
import type { RefundProgress } from '../../src/payments/refunds.ts'
import { reconciliationStyles } from './reconciliation-page.tsx'
import { FormProblem, Notice } from '../components/form.tsx'

const CURRENCY = 'KES'

/** A refund's state as the organiser reads it: a refused one being retried is not "to send". */
export function refundStateKey(refund: Pick<RefundListing, 'status' | 'result_code'>): MessageKey {
  if (refund.status === 'completed' && refund.result_code === 'by_hand') return 'refunds.status.byHand'
  if (refund.status === 'due' && refund.result_code && refund.result_code !== 'unconfirmed') return 'refunds.status.retrying'
  return `refunds.status.${refund.status}` as MessageKey
}

function RefundTable({ t, lang, refunds, linkOrders }: { t: Translator; lang: Lang; refunds: RefundListing[]; linkOrders?: boolean }) {
  return (
    <div class="recon-wrap">
      <table class="recon">
        <thead>
          <tr>
            <th scope="col">{t('payments.recon.col.date')}</th>
            <th scope="col" class="num">{t('refunds.col.amount')}</th>
            <th scope="col">{t('refunds.col.status')}</th>
            <th scope="col">{t('refunds.col.receipt')}</th>
            <th scope="col">{t('refunds.col.phone')}</th>
            <th scope="col">{t('refunds.col.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {refunds.map((refund) => (
            <tr data-refund={refund.status}>
              <td data-label={t('payments.recon.col.date')}>{formatDateTime(refund.created_at, lang)}</td>
              <td class="num" data-label={t('refunds.col.amount')}>{formatMoney(refund.amount_minor, refund.currency, lang)}</td>
              <td data-label={t('refunds.col.status')}>
                <span class="badge">{t(refundStateKey(refund))}</span>
                {refund.manual_reference && <> <code>{refund.manual_reference}</code></>}
                {linkOrders && refund.status === 'manual' && <> <a href={`/manage/payments/${refund.transaction_id}#refund-${refund.id}`}>{t('refunds.byHand.record')}</a></>}
              </td>
              <td class={refund.receipt ? 'nowrap' : 'empty'} data-label={t('refunds.col.receipt')}>{refund.receipt && <code>{refund.receipt}</code>}</td>
              <td class={refund.phone ? 'nowrap' : 'empty'} data-label={t('refunds.col.phone')}>{refund.phone}</td>
              <td data-label={t('refunds.col.reason')}>
                {refund.reason === 'organiser' && refund.note ? refund.note : t(`refunds.reason.${refund.reason === 'organiser' ? 'organiser' : 'event_cancelled'}` as MessageKey)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export interface RefundProgressPageProps {
  t: Translator
  lang: Lang
  event: { id: string; title: string }
  progress: RefundProgress
  refunds: RefundListing[]
  /** This page's own URL, which htmx polls while refunds are still moving. */
  self: string
}

/** An event's refunds: how many are back, under way, refused and to do by hand, with the amounts. */
export function RefundProgressPage({ t, lang, event, progress, refunds, self }: RefundProgressPageProps) {
  const moving = progress.inProgress.count + progress.failed.count > 0
  const figures: Array<[string, MessageKey, { count: number; minor: number }]> = [
    ['completed', 'refunds.progress.refunded', progress.refunded],
    ['in-progress', 'refunds.progress.inProgress', progress.inProgress],
    ['failed', 'refunds.progress.failed', progress.failed],
    ['manual', 'refunds.progress.manual', progress.manual],
    ['total', 'refunds.progress.total', progress.total],
  ]
  const poll = moving ? { 'hx-get': self, 'hx-trigger': 'every 3s', 'hx-select': '#refund-progress', 'hx-swap': 'outerHTML' } : {}
  return (
    <section>
      <style>{raw(reconciliationStyles)}</style>
      <p><a href={`/manage/events/${event.id}`}>← {event.title}</a></p>
      <h1>{t('refunds.progress.title', { event: event.title })}</h1>
      <p class="muted">{t('refunds.progress.intro')}</p>
      <div id="refund-progress" aria-live="polite" {...poll}>
        <dl class="recon-totals">
          {figures.map(([name, label, figure]) => (
            <div class={name === 'completed' ? 'main' : undefined}>
              <dt>{t(label)}</dt>
              <dd data-progress={name}>{t('refunds.progress.amount', { count: formatCount(figure.count, lang), amount: formatMoney(figure.minor, CURRENCY, lang) })}</dd>
            </div>
          ))}
        </dl>
        {progress.total.count === 0 && <p class="muted">{t('refunds.progress.none')}</p>}
        {progress.total.count > 0 && !moving && progress.manual.count === 0 && <Notice kind="success">{t('refunds.progress.done')}</Notice>}
        {progress.manual.count > 0 && <p><strong>{t('refunds.progress.manualHint')}</strong></p>}
        {!moving ? null : <p><a href={self}>{t('checkout.refresh')}</a></p>}
        {refunds.length > 0 && <><h2>{t('refunds.progress.list')}</h2><RefundTable t={t} lang={lang} refunds={refunds} linkOrders /></>}
      </div>
    </section>
  )
}

export interface OrderRefundPageProps {
  t: Translator
  lang: Lang
  order: {
    payment: { id: string; status: string; amount_minor: number; refunded_minor: number; currency: string; mpesa_receipt_number: string | null;
      created_at: Date; event_title: string; paid_phone: string | null; mpesa_phone: string | null }
    tickets: Array<{ id: string; status: string; price_minor: number; type_name: string }>
  }
  refunds: RefundListing[]
  notice?: string
  error?: string
  values?: { reason?: string; tickets?: string[] }
}

/** One order: its tickets, the refund form for those still valid, and its refunds so far. */
export function OrderRefundPage({ t, lang, order, refunds, notice, error, values }: OrderRefundPageProps) {
  const { payment, tickets } = order
  const refundable = tickets.filter((ticket) => ticket.status === 'active')
  const chosen = new Set(values?.tickets ?? [])
  return (
    <section>
      <style>{raw(reconciliationStyles)}</style>
      <p><a href="/manage/payments">← {t('payments.recon.title')}</a></p>
      <h1>{t('refunds.order.title')}</h1>
      <p>
        <strong>{payment.event_title}</strong> · {formatMoney(payment.amount_minor, payment.currency, lang)} ·{' '}
        <span class="badge">{t(`payments.recon.status.${payment.status}` as MessageKey)}</span>
      </p>
      <p class="muted">
        {formatDateTime(payment.created_at, lang)}
        {payment.mpesa_receipt_number && <> · <code>{payment.mpesa_receipt_number}</code></>}
        {(payment.paid_phone ?? payment.mpesa_phone) && <> · {payment.paid_phone ?? payment.mpesa_phone}</>}
      </p>
      {payment.refunded_minor > 0 && <p>{t('refunds.order.refunded', { amount: formatMoney(payment.refunded_minor, payment.currency, lang) })}</p>}
      {notice && <Notice kind="success">{notice}</Notice>}
      {error && <FormProblem errors={{ _form: error }} summary={t('form.fixErrors')} />}
      {refundable.length > 0 && (
        <form method="post" action={`/manage/payments/${payment.id}/refund`} class="stack">
          <p class="muted">{t('refunds.order.intro')}</p>
          <fieldset>
            <legend>{t('refunds.order.tickets')}</legend>
            {refundable.map((ticket) => (
              <p class="field">
                <label>
                  <input type="checkbox" name="tickets" value={ticket.id} checked={chosen.has(ticket.id)} />{' '}
                  {t('refunds.order.ticket', { type: ticket.type_name, amount: formatMoney(ticket.price_minor, payment.currency, lang) })}
                </label>
              </p>
            ))}
          </fieldset>
          <p class="field">
            <label for="refund-reason">{t('refunds.order.reason')}</label>
            <input id="refund-reason" name="reason" required minlength={2} maxlength={300} value={values?.reason ?? ''} />
          </p>
          <button class="danger">{t('refunds.order.submit')}</button>
        </form>
      )}
      {refunds.filter((refund) => refund.status === 'manual').map((refund) => (
        <form method="post" action={`/manage/payments/${payment.id}/refunds/${refund.id}/done`} class="stack" id={`refund-${refund.id}`}>
          <h2>{t('refunds.byHand.title', { amount: formatMoney(refund.amount_minor, refund.currency, lang) })}</h2>
          <p class="muted">{t('refunds.byHand.intro')}</p>
          <p class="field">
            <label for={`reference-${refund.id}`}>{t('refunds.byHand.reference')}</label>
            <input id={`reference-${refund.id}`} name="reference" required minlength={2} maxlength={60} autocomplete="off" />
          </p>
          <button>{t('refunds.byHand.submit')}</button>
        </form>
      ))}
      {refunds.length > 0 && <><h2>{t('refunds.progress.list')}</h2><RefundTable t={t} lang={lang} refunds={refunds} /></>}
    </section>
  )
}
