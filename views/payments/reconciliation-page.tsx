import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { TransactionStatus } from '../../src/db/schema.ts'
import { formatCount, formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import {
  reasonOf, safePhone, TRANSACTION_STATUSES, type ReconFlag, type ReconTotals, type ReconTransaction,
} from '../../src/payments/reconciliation-service.ts'
import type { RefundListing } from '../../src/payments/refund-queries.ts'
import type { PayoutListing, PayoutTotals } from '../../src/payouts/payout-queries.ts'
import { payoutStatusKey } from '../../src/payouts/payout-state.ts'
import { refundStateKey } from './refund-pages.tsx'

export interface ReconciliationPageProps {
  t: Translator
  lang: Lang
  events: Array<{ id: string; title: string }>
  eventId?: string
  status?: TransactionStatus
  page: number
  pages: number
  totals: ReconTotals
  transactions: ReconTransaction[]
  flags: ReconFlag[]
  /** The newest refunds of the filter. */
  refunds: RefundListing[]
  /** The newest resale payouts of the filter, and all of them by state. */
  payouts: PayoutListing[]
  payoutTotals: PayoutTotals
  /** Builds this page's URL (or the CSV's) with the current filter and the given page. */
  href: (path: string, page?: number) => string
}

const CURRENCY = 'KES'

/**
 * Only this page uses a table: on narrow screens each row becomes a card of label/value lines, the
 * label coming from the cell's data-label. Its styles stay on this page rather than in the shared
 * stylesheet, which every buyer page inlines and pays for on 2G.
 */
export const reconciliationStyles = `
.recon-filter{display:grid;grid-template-columns:1fr 1fr auto;gap:8px;align-items:end;margin:0 0 8px}
.recon-filter label{display:grid;gap:4px;font-weight:600;font-size:.95rem}
@media(max-width:560px){.recon-filter{grid-template-columns:1fr}}
.recon-totals{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:12px 0}
.recon-totals div{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:8px 10px}
.recon-totals dt{font-size:.85rem;color:#57606a}.recon-totals dd{margin:0;font-weight:700;font-size:1.05rem}
.recon-totals .main dd{color:#0f5132}
.recon-flags{list-style:none;margin:0;padding:0;display:grid;gap:8px}
.recon-flags li{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:8px 12px}
.recon-flags p{margin:2px 0;font-size:.9rem;overflow-wrap:anywhere}
.recon-flags.refunds li{background:#fff;border-color:#d8dee4}
.recon-wrap{overflow-x:auto}
table.recon{width:100%;border-collapse:collapse;background:#fff;font-size:.85rem}
table.recon th,table.recon td{text-align:left;padding:6px;border-bottom:1px solid #d8dee4;vertical-align:top}
table.recon .num,table.recon .nowrap{white-space:nowrap}
table.recon .num{text-align:right}
table.recon code{font-size:.8rem}
table.recon .id code{word-break:break-all}
table.recon .reason{min-width:9em}
@media(min-width:1101px){.recon-wrap{width:min(calc(100vw - 48px),1280px);position:relative;left:50%;transform:translateX(-50%)}}
@media(max-width:1100px){
table.recon thead{position:absolute;left:-9999px}
table.recon,table.recon tbody,table.recon tr,table.recon td{display:block;width:100%}
table.recon tr{border:1px solid #d8dee4;border-radius:8px;margin:0 0 10px;padding:4px 10px}
table.recon td{display:flex;justify-content:space-between;gap:12px;border:0;padding:3px 0;text-align:right;min-width:0;font-size:.9rem}
table.recon td::before{content:attr(data-label);font-weight:600;color:#57606a;text-align:left;flex:0 0 auto}
table.recon td>*{min-width:0}
table.recon td.empty{display:none}
.recon-wrap{overflow-x:visible}
}
@media(min-width:640px) and (max-width:1100px){table.recon tbody{display:grid;grid-template-columns:1fr 1fr;gap:10px}table.recon tr{margin:0}}
.pager{display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap;margin:12px 0}
`.replace(/\n/g, '')

function money(minor: number, lang: Lang) {
  return formatMoney(minor, CURRENCY, lang)
}

function statusText(t: Translator, status: TransactionStatus) {
  return t(`payments.recon.status.${status}` as MessageKey)
}

function Totals({ t, lang, totals, payouts }: { t: Translator; lang: Lang; totals: ReconTotals; payouts: PayoutTotals }) {
  const items: Array<[MessageKey, string, boolean?]> = [
    ['payments.recon.gross', money(totals.grossMinor, lang), true],
    ['payments.recon.commission', money(totals.commissionMinor, lang)],
    ['payments.recon.net', money(totals.netMinor, lang), true],
    ['payments.recon.count.completed', formatCount(totals.completed, lang)],
    ['payments.recon.count.pending', formatCount(totals.pending, lang)],
    ['payments.recon.count.failed', formatCount(totals.failed, lang)],
    ['payments.recon.count.refundDue', totals.refundDue > 0
      ? t('payments.recon.refundDueAmount', { count: formatCount(totals.refundDue, lang), amount: money(totals.refundDueMinor, lang) })
      : '0'],
    ['payments.recon.count.refunded', formatCount(totals.refunded, lang)],
    ['payments.recon.refundedAmount', money(totals.refundedMinor, lang)],
  ]
  // resale sellers' money is paid out of the resale payments' net
  if (payouts.paid.count + payouts.inProgress.count + payouts.manual.count > 0) {
    items.push(['payments.recon.payoutsPaid', money(payouts.paid.minor, lang)],
      ['payments.recon.payoutsOwed', money(payouts.inProgress.minor + payouts.manual.minor, lang)])
  }
  return (
    <dl class="recon-totals" aria-label={t('payments.recon.totals')}>
      {items.map(([label, value, main]) => (
        <div class={main ? 'main' : undefined}><dt>{t(label)}</dt><dd data-total={label.split('.').pop()}>{value}</dd></div>
      ))}
    </dl>
  )
}

function FlagItem({ t, lang, flag }: { t: Translator; lang: Lang; flag: ReconFlag }) {
  const reference = flag.receipt ?? flag.checkout_request_id
  let what: string | undefined
  if (flag.kind === 'phone_mismatch' && flag.phones.expected && flag.phones.paid) {
    what = t('payments.recon.flag.phones', { expected: flag.phones.expected, paid: flag.phones.paid })
  } else if (flag.kind === 'repeated_failures') {
    what = t('payments.recon.flag.failures', { count: flag.failures ?? '?', phone: flag.phones.phone ?? '—' })
  } else if (flag.kind === 'refund_due' || flag.kind === 'duplicate_payment') {
    what = t(flag.kind === 'duplicate_payment' ? 'payments.recon.reason.duplicate_payment' : 'payments.recon.reason.tickets_gone')
  }
  if (flag.kind === 'refund_manual') what = t('refunds.progress.manualHint')
  const stillToRefund = flag.transaction_status === 'refund_due' && flag.kind !== 'refund_manual'
  return (
    <li>
      <strong>{t(`payments.recon.flag.${flag.kind}` as MessageKey)}</strong>
      {what && <p>{what}</p>}
      {stillToRefund && <p><strong>{t('payments.recon.flag.refundByHand')}</strong></p>}
      <p class="muted">
        {formatDateTime(flag.created_at, lang)}
        {flag.event_title && <> · {flag.event_title}</>}
        {reference && <> · <code>{reference}</code></>}
        {flag.transaction_status && <> · {t('payments.recon.flag.nowStatus', { status: statusText(t, flag.transaction_status) })}</>}
      </p>
    </li>
  )
}

const MARK = '\u0000'

/** A translated sentence with its placeholder (filled with MARK) replaced by the children. */
function Around({ text, children }: { text: string; children: Child }) {
  const [before = '', after = ''] = text.split(MARK)
  return <>{before}{children}{after}</>
}

function TransactionRow({ t, lang, tx }: { t: Translator; lang: Lang; tx: ReconTransaction }) {
  const reason = reasonOf(tx)
  const phone = tx.mpesa_phone ? safePhone(tx.mpesa_phone) : undefined
  const paidFrom = tx.paid_phone && tx.paid_phone !== tx.mpesa_phone ? safePhone(tx.paid_phone) : undefined
  const label = (key: MessageKey) => t(key)
  const kept = tx.status === 'completed' || tx.status === 'partially_refunded'
  return (
    <tr>
      <td class="date" data-label={label('payments.recon.col.date')}>{formatDateTime(tx.created_at, lang)}</td>
      <td data-label={label('payments.recon.col.type')}>{t(`payments.recon.type.${tx.transaction_type}` as MessageKey)}</td>
      <td data-label={label('payments.recon.col.event')}>{tx.event_title}</td>
      <td class="num" data-label={label('payments.recon.col.amount')}>{formatMoney(tx.amount_minor, tx.currency, lang)}</td>
      {/* commission is earned only on money kept: none on a failed or refunded payment, less on a partly refunded one */}
      <td class="num" data-label={label('payments.recon.col.commission')}>{kept ? formatMoney(tx.commission_earned_minor, tx.currency, lang) : '—'}</td>
      <td class="num" data-label={label('payments.recon.col.net')}>{kept ? formatMoney(tx.net_minor, tx.currency, lang) : '—'}</td>
      <td class="nowrap" data-label={label('payments.recon.col.status')}><span class="badge">{statusText(t, tx.status)}</span></td>
      <td class={tx.mpesa_receipt_number ? 'nowrap' : 'empty'} data-label={label('payments.recon.col.receipt')}>
        {tx.mpesa_receipt_number && <code>{tx.mpesa_receipt_number}</code>}
      </td>
      <td class={tx.checkout_request_id ? 'id' : 'empty'} data-label={label('payments.recon.col.checkout')}>
        {tx.checkout_request_id && <code>{tx.checkout_request_id}</code>}
      </td>
      <td class={phone ? undefined : 'empty'} data-label={label('payments.recon.col.phone')}>
        <span><span class="nowrap">{phone}</span>
          {paidFrom && <><br /><span class="muted"><Around text={t('payments.recon.paidFrom', { phone: MARK })}><span class="nowrap">{paidFrom}</span></Around></span></>}</span>
      </td>
      <td class={reason ? 'reason' : 'reason empty'} data-label={label('payments.recon.col.reason')}>
        {reason && <span>{t(`payments.recon.reason.${reason}` as MessageKey)}</span>}
        {tx.refunded_minor > 0 && <><br /><span class="muted">{t('refunds.order.refunded', { amount: formatMoney(tx.refunded_minor, tx.currency, lang) })}</span></>}
      </td>
      <td class={kept ? 'nowrap' : 'empty'} data-label={label('refunds.order.link')}>
        {kept && <a href={`/manage/payments/${tx.id}`}>{t('refunds.order.link')}</a>}
      </td>
    </tr>
  )
}

export function ReconciliationPage(props: ReconciliationPageProps) {
  const { t, lang, events, eventId, status, page, pages, totals, transactions, flags, refunds, payouts, payoutTotals, href } = props
  return (
    <section>
      <style>{raw(reconciliationStyles)}</style>
      <p><a href="/manage">← {t('manage.title')}</a></p>
      <h1>{t('payments.recon.title')}</h1>
      <p class="muted">{t('payments.recon.intro')}</p>

      {/* with htmx, choosing a filter swaps only the results (and the address follows); without it, Apply reloads */}
      <form method="get" action="/manage/payments" class="recon-filter" hx-get="/manage/payments" hx-trigger="submit, change"
        hx-target="#recon-results" hx-select="#recon-results" hx-swap="outerHTML" hx-push-url="true">
        <label>{t('payments.recon.filter.event')}
          <select name="event">
            <option value="">{t('payments.recon.filter.allEvents')}</option>
            {events.map((event) => <option value={event.id} selected={event.id === eventId}>{event.title}</option>)}
          </select>
        </label>
        <label>{t('payments.recon.filter.status')}
          <select name="status">
            <option value="">{t('payments.recon.filter.allStatuses')}</option>
            {TRANSACTION_STATUSES.map((code) => <option value={code} selected={code === status}>{statusText(t, code)}</option>)}
          </select>
        </label>
        <button>{t('payments.recon.filter.apply')}</button>
      </form>
      <div id="recon-results">
      <p><a class="button secondary" href={href('/manage/payments.csv')} download>{t('payments.recon.csv')}</a></p>

      <h2>{t('payments.recon.totals')}</h2>
      <Totals t={t} lang={lang} totals={totals} payouts={payoutTotals} />
      <p class="muted" id="commission-rule">{t('payments.recon.commissionRule')}</p>

      <h2 id="attention">{t('payments.recon.attention')}</h2>
      {flags.length === 0 ? <p class="muted">{t('payments.recon.attentionNone')}</p> : (
        <ul class="recon-flags">{flags.map((flag) => <FlagItem t={t} lang={lang} flag={flag} />)}</ul>
      )}

      <h2 id="transactions">{t('payments.recon.transactions')}</h2>
      {transactions.length === 0 ? <p class="muted">{t('payments.recon.none')}</p> : (
        <div class="recon-wrap">
          <table class="recon">
            <thead>
              <tr>
                <th scope="col">{t('payments.recon.col.date')}</th>
                <th scope="col">{t('payments.recon.col.type')}</th>
                <th scope="col">{t('payments.recon.col.event')}</th>
                <th scope="col" class="num">{t('payments.recon.col.amount')}</th>
                <th scope="col" class="num">{t('payments.recon.col.commission')}</th>
                <th scope="col" class="num">{t('payments.recon.col.net')}</th>
                <th scope="col">{t('payments.recon.col.status')}</th>
                <th scope="col">{t('payments.recon.col.receipt')}</th>
                <th scope="col">{t('payments.recon.col.checkout')}</th>
                <th scope="col">{t('payments.recon.col.phone')}</th>
                <th scope="col">{t('payments.recon.col.reason')}</th>
                <th scope="col">{t('refunds.order.link')}</th>
              </tr>
            </thead>
            <tbody>{transactions.map((tx) => <TransactionRow t={t} lang={lang} tx={tx} />)}</tbody>
          </table>
        </div>
      )}
      {refunds.length > 0 && (
        <>
          <h2 id="refunds">{t('refunds.progress.list')}</h2>
          <ul class="recon-flags refunds">
            {refunds.map((refund) => (
              <li data-refund={refund.status}>
                <strong>{formatMoney(refund.amount_minor, refund.currency, lang)}</strong> · {t(refundStateKey(refund))}
                <p class="muted">
                  {formatDateTime(refund.created_at, lang)} · {refund.event_title}
                  {refund.receipt && <> · <code>{refund.receipt}</code></>}
                  {' · '}{refund.reason === 'organiser' && refund.note ? refund.note : t(refund.reason === 'organiser' ? 'refunds.reason.organiser'
                    : refund.reason === 'event_cancelled' ? 'refunds.reason.event_cancelled'
                    : `payments.recon.reason.${refund.reason}` as MessageKey)}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
      {payouts.length > 0 && (
        <>
          <h2 id="payouts">{t('payments.recon.payouts')}</h2>
          <ul class="recon-flags refunds">
            {payouts.map((payout) => (
              <li data-payout={payout.status}>
                <strong>{formatMoney(payout.amount_minor, payout.currency, lang)}</strong> · {t(payoutStatusKey(payout))}
                <p class="muted">
                  {formatDateTime(payout.created_at, lang)} · {payout.event_title} · {safePhone(payout.phone)}
                  {payout.receipt && <> · <code>{payout.receipt}</code></>}
                  {' · '}<a href={`/manage/events/${payout.event_id}/payouts`}>{t('payouts.link')}</a>
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
      {(pages > 1 || page > 1) && (
        <nav class="pager" aria-label={t('payments.recon.pages')}>
          <span>{page > 1 && <a href={href('/manage/payments', Math.min(page - 1, pages))} rel="prev">← {t('payments.recon.newer')}</a>}</span>
          <span>{t('payments.recon.page', { page: formatCount(page, lang), pages: formatCount(pages, lang) })}</span>
          <span>{page < pages && <a href={href('/manage/payments', page + 1)} rel="next">{t('payments.recon.older')} →</a>}</span>
        </nav>
      )}
      </div>
    </section>
  )
}
