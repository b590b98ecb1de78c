import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { payoutState } from './wallet-resale.tsx'

export interface ResaleLogRow {
  id: string
  status: string
  listing_price_minor: number
  original_price_minor: number
  currency: string
  created_at: Date
  sold_at: Date | null
  ended_at: Date | null
  end_reason: string | null
  type_name: string
  commission_minor: number | null
  organiser_fee_minor: number | null
  payout_minor: number | null
  payout_status: string | null
  held: boolean | number | string
}

export interface ResaleTotals {
  sales: number
  gross: number
  commission: number
  fees: number
  payouts: number
}

function statusOf(t: Translator, row: ResaleLogRow): string {
  if (row.status === 'active') return t(row.held === true || row.held === 1 || row.held === '1' ? 'resale.status.held' : 'resale.status.active')
  if (row.status === 'cancelled' && row.end_reason) return t(`resale.end.${row.end_reason}` as MessageKey)
  return t(`resale.status.${row.status}` as MessageKey)
}

/** A manager's page of an event's resale: totals, then every listing with its sale, fees and payout (read-only). */
export function ResaleLog({ t, lang, title, currency, totals, rows }: {
  t: Translator; lang: Lang; title: string; currency: string; totals: ResaleTotals; rows: ResaleLogRow[]
}) {
  const money = (minor: number | null) => (minor === null ? '' : formatMoney(minor, currency, lang))
  return (
    <section>
      <h1>{t('resale.manage.title', { event: title })}</h1>
      <dl class="card" data-resale-totals>
        <dt>{t('resale.manage.sales')}</dt><dd data-total="sales">{totals.sales}</dd>
        <dt>{t('resale.manage.gross')}</dt><dd data-total="gross">{money(totals.gross)}</dd>
        <dt>{t('resale.manage.commission')}</dt><dd data-total="commission">{money(totals.commission)}</dd>
        <dt>{t('resale.manage.fees')}</dt><dd data-total="fees">{money(totals.fees)}</dd>
        <dt>{t('resale.manage.payouts')}</dt><dd data-total="payouts">{money(totals.payouts)}</dd>
      </dl>
      <p class="muted">{t('resale.manage.payoutsNote')}</p>
      {rows.length === 0 ? <p class="muted">{t('resale.manage.none')}</p> : (
        <div class="table-scroll">
          <table>
            <thead><tr>
              <th scope="col">{t('resale.manage.listed')}</th><th scope="col">{t('resale.manage.type')}</th>
              <th scope="col">{t('resale.manage.original')}</th><th scope="col">{t('resale.manage.price')}</th>
              <th scope="col">{t('resale.manage.status')}</th><th scope="col">{t('resale.manage.soldAt')}</th>
              <th scope="col">{t('resale.manage.commission')}</th><th scope="col">{t('resale.manage.fee')}</th>
              <th scope="col">{t('resale.manage.payout')}</th>
            </tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr data-listing={row.id}>
                  <td>{formatDateTime(row.created_at, lang)}</td>
                  <td>{row.type_name}</td>
                  <td>{money(row.original_price_minor)}</td>
                  <td>{money(row.listing_price_minor)}</td>
                  <td>{statusOf(t, row)}</td>
                  <td>{row.sold_at ? formatDateTime(row.sold_at, lang) : row.ended_at ? formatDateTime(row.ended_at, lang) : ''}</td>
                  <td>{money(row.status === 'sold' ? row.commission_minor : null)}</td>
                  <td>{money(row.organiser_fee_minor)}</td>
                  <td data-payout={row.payout_status ?? ''}>{row.payout_minor === null ? '' : `${money(row.payout_minor)} (${payoutState(t, row.payout_status)})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
