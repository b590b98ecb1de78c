import { raw } from 'hono/html'
import type { PlatformDashboard } from '../../src/analytics/admin-service.ts'
import type { MoneyRow } from '../../src/analytics/admin-queries.ts'
import { EXPORT_DATASETS } from '../../src/analytics/datasets.ts'
import { filterParams, type FigureFilter } from '../../src/analytics/filters.ts'
import { formatCount, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { MeterChart } from './charts.tsx'
import { dashboardStyles } from './dashboard-page.tsx'

function MoneyTable({ t, lang, rows, id, first }: { t: Translator; lang: Lang; rows: MoneyRow[]; id: string; first: MessageKey }) {
  const money = (minor: number) => formatMoney(minor, 'KES', lang)
  return (
    <div class="dash-wrap" tabindex={0} role="region" aria-label={t(first)}>
      <table class="dash" id={id}>
        <thead><tr><th scope="col">{t(first)}</th>{id === 'events-table' && <th scope="col">{t('analytics.col.tenant')}</th>}
          <th scope="col" class="num">{t('analytics.admin.gmv')}</th><th scope="col" class="num">{t('analytics.admin.commission')}</th>
          <th scope="col" class="num">{t('analytics.admin.refunds')}</th><th scope="col" class="num">{t('analytics.col.completed')}</th>
          <th scope="col" class="num">{t('analytics.col.failed')}</th></tr></thead>
        <tbody>{rows.map((row) => (
          <tr><th scope="row">{row.name}</th>{id === 'events-table' && <td>{row.tenantName}</td>}
            <td class="num">{money(row.grossMinor)}</td><td class="num">{money(row.commissionMinor)}</td>
            <td class="num">{money(row.refundedMinor + row.refundPendingMinor)}</td>
            <td class="num">{formatCount(row.completed, lang)}</td><td class="num">{formatCount(row.failed, lang)}</td></tr>
        ))}</tbody>
      </table>
    </div>
  )
}

export function PlatformDashboardPage({ t, lang, d, filter }: { t: Translator; lang: Lang; d: PlatformDashboard; filter: FigureFilter }) {
  const money = (minor: number) => formatMoney(minor, 'KES', lang)
  const query = filterParams(filter).toString()
  const withQuery = (path: string) => (query ? `${path}?${query}` : path)
  const top = Math.max(1, ...d.topEvents.map((row) => row.grossMinor))
  return (
    <section>
      <style>{raw(dashboardStyles)}</style>
      <p><a href="/admin">← {t('admin.title')}</a></p>
      <h1>{t('analytics.admin.title')}</h1>
      <p class="muted">{t('analytics.admin.intro')} {t('analytics.timeZone')}</p>
      <form method="get" action="/admin/dashboard" class="dash-filter" hx-get="/admin/dashboard" hx-trigger="submit, change"
        hx-target="#dash-results" hx-select="#dash-results" hx-swap="outerHTML" hx-push-url="true">
        <label>{t('analytics.filter.from')}<input type="date" name="from" value={filter.fromDay ?? ''} /></label>
        <label>{t('analytics.filter.to')}<input type="date" name="to" value={filter.toDay ?? ''} /></label>
        <button>{t('analytics.filter.apply')}</button>
      </form>
      <div id="dash-results">
        <dl class="dash-figures">
          <div><dt>{t('analytics.admin.gmv')}</dt><dd data-figure="gmv">{money(d.revenue.grossMinor)}</dd></div>
          <div><dt>{t('analytics.admin.commission')}</dt><dd data-figure="commission">{money(d.revenue.commissionMinor)}</dd></div>
          <div><dt>{t('analytics.admin.refunds')}</dt><dd data-figure="refunds">{money(d.revenue.refundedMinor + d.revenue.refundPendingMinor)}</dd></div>
          <div><dt>{t('analytics.admin.successRate')}</dt><dd data-figure="success">{d.successRate == null ? '—' : `${formatCount(Math.round(d.successRate * 1000) / 10, lang)}%`}</dd></div>
        </dl>
        <p class="method">{t('analytics.money.rule')}</p>
        <h2>{t('analytics.export.title')}</h2>
        <ul class="exports">
          {EXPORT_DATASETS.map((dataset) => (
            <li>{t(`analytics.dataset.${dataset}` as MessageKey)}:{' '}
              <a href={withQuery(`/admin/exports/${dataset}.csv`)}>CSV</a> · <a href={withQuery(`/admin/exports/${dataset}.xlsx`)}>Excel</a> · <a href={withQuery(`/admin/exports/${dataset}.pdf`)}>PDF</a>
            </li>
          ))}
          <li><a href={withQuery('/admin/exports/summary.pdf')}>{t('analytics.export.summary')}</a></li>
        </ul>
        <h2>{t('analytics.admin.byTenant')}</h2>
        <MoneyTable t={t} lang={lang} rows={d.tenants} id="tenants-table" first="analytics.col.tenant" />
        <h2>{t('analytics.admin.top')}</h2>
        <MeterChart id="chart-top" title={t('analytics.admin.topChart')} summary={t('analytics.admin.topChart')}
          rows={d.topEvents.map((row) => ({ label: row.name, parts: [row.grossMinor], whole: top, text: money(row.grossMinor) }))} />
        <MoneyTable t={t} lang={lang} rows={d.topEvents} id="events-table" first="analytics.col.event" />
      </div>
    </section>
  )
}
