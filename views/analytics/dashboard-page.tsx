import { raw } from 'hono/html'
import type { Child } from 'hono/jsx'
import type { Dashboard } from '../../src/analytics/dashboard-service.ts'
import { EXPORT_DATASETS } from '../../src/analytics/datasets.ts'
import { filterParams, type FigureFilter } from '../../src/analytics/filters.ts'
import { FORECAST_WINDOW_HOURS } from '../../src/analytics/forecast.ts'
import { dailyPoints, hourlyPoints } from '../../src/analytics/series.ts'
import { formatCount, formatDateTime, formatDecimal, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { BarChart, DataTable, MeterChart } from './charts.tsx'

/** The dashboard's own styles (registered in the CSP); the shared stylesheet stays small for buyers. */
export const dashboardStyles = `
.dash-filter{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px;align-items:end;margin:0 0 12px}
.dash-filter label{display:grid;gap:4px;font-weight:600;font-size:.95rem;min-width:0}.dash-filter input,.dash-filter select{width:100%;min-width:0;max-width:100%}
.dash-figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:8px;margin:12px 0}
.dash-figures div{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:8px 10px}
.dash-figures dt{font-size:.85rem;color:#57606a}.dash-figures dd{margin:0;font-weight:700;font-size:1.05rem;overflow-wrap:anywhere}
.dash-grid{display:grid;gap:12px}
@media(min-width:900px){.dash-grid{grid-template-columns:1fr 1fr}}
.chart{margin:0;background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:8px 10px;min-width:0}
.chart figcaption{font-weight:600;margin:0 0 4px}
.chart-svg{display:block;width:100%;max-width:640px;height:auto}.chart-meter .chart-svg{max-width:480px}
.chart-data summary{cursor:pointer;font-size:.9rem;color:#0b5cad;margin:4px 0}
.dash-wrap{overflow-x:auto}
table.dash{width:100%;border-collapse:collapse;background:#fff;font-size:.85rem}
table.dash th,table.dash td{text-align:left;padding:4px 6px;border-bottom:1px solid #d8dee4;vertical-align:top}
table.dash .num{text-align:right;white-space:nowrap}
.legend{display:flex;gap:12px;font-size:.85rem;margin:0 0 4px}
.legend .sw{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.legend .sold{background:#1a7f37}.legend .held{background:#bf8700}
.exports{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:.9rem;padding:0;list-style:none}
.method{font-size:.9rem;color:#57606a}
`.replace(/\n/g, '')

export interface DashboardPageProps {
  t: Translator
  lang: Lang
  dashboard: Dashboard
  filter: FigureFilter
  /** Where the filter form goes (this page's URL without its query). */
  action: string
  /** Ticket types for the filter. */
  types: Array<{ id: string; name: string; event_id: string }>
  /** The fixed event of /manage/events/{id}/dashboard (no event choice then). */
  fixedEvent?: boolean
  exportBase: string
  now: Date
  header?: Child
}

const money = (minor: number, lang: Lang) => formatMoney(minor, 'KES', lang)
function Figures({ items }: { items: Array<[string, string, string]> }) {
  return (
    <dl class="dash-figures">
      {items.map(([key, label, value]) => <div><dt>{label}</dt><dd data-figure={key}>{value}</dd></div>)}
    </dl>
  )
}

function ForecastText({ t, lang, dashboard }: { t: Translator; lang: Lang; dashboard: Dashboard }) {
  const f = dashboard.forecast
  const method = t('analytics.forecast.method', { hours: FORECAST_WINDOW_HOURS })
  let text: string
  if (f.kind === 'sold_out') text = t('analytics.forecast.soldOut')
  else if (f.kind === 'no_recent_sales') text = t('analytics.forecast.none', { hours: FORECAST_WINDOW_HOURS })
  else {
    text = t('analytics.forecast.at', { date: formatDateTime(f.at!, lang), remaining: formatCount(f.remaining, lang) })
    text += ' ' + (f.latest
      ? t('analytics.forecast.range', { earliest: formatDateTime(f.earliest!, lang), latest: formatDateTime(f.latest, lang) })
      : t('analytics.forecast.rangeOpen', { earliest: formatDateTime(f.earliest!, lang) }))
    if (f.afterStart) text += ' ' + t('analytics.forecast.afterStart')
  }
  return <><p data-forecast={f.kind}>{text}</p><p class="method">{method}</p></>
}

function ExportLinks({ t, filter, base, eventId }: { t: Translator; filter: FigureFilter; base: string; eventId?: string }) {
  const query = filterParams(filter).toString()
  const withQuery = (path: string) => (query ? `${path}?${query}` : path)
  return (
    <>
      <ul class="exports">
        {EXPORT_DATASETS.map((dataset) => (
          <li>{t(`analytics.dataset.${dataset}` as MessageKey)}:{' '}
            <a href={withQuery(`${base}/${dataset}.csv`)}>CSV</a> · <a href={withQuery(`${base}/${dataset}.xlsx`)}>Excel</a> · <a href={withQuery(`${base}/${dataset}.pdf`)}>PDF</a>
          </li>
        ))}
      </ul>
      {/* large exports: the same filter, prepared by a job whose page shows its progress */}
      <form method="post" action="/manage/exports/jobs" class="dash-filter">
        {Object.entries({ event: filter.eventId, type: filter.ticketTypeId, from: filter.fromDay, to: filter.toDay })
          .map(([name, value]) => (value ? <input type="hidden" name={name} value={value} /> : null))}
        <label>{t('analytics.reports.dataset')}
          <select name="dataset">{EXPORT_DATASETS.map((dataset) => <option value={dataset}>{t(`analytics.dataset.${dataset}` as MessageKey)}</option>)}</select>
        </label>
        <label>{t('analytics.reports.format')}
          <select name="format"><option value="csv">CSV</option><option value="xlsx">Excel</option><option value="pdf">PDF</option></select>
        </label>
        <button class="secondary">{t('analytics.reports.background')}</button>
      </form>
      <ul class="exports">
        <li><a href={withQuery(`${base}/summary.pdf`)}>{t('analytics.export.summary')}</a></li>
        {eventId && <li><a href={withQuery(`${base}/checkin-list.pdf`)}>{t('analytics.export.checkinList')}</a></li>}
      </ul>
    </>
  )
}

export function DashboardResults(props: DashboardPageProps) {
  const { t, lang, dashboard: d, filter, exportBase, now } = props
  const count = (value: number) => formatCount(value, lang)
  const percent = (value: number | null) => (value == null ? '—' : `${formatDecimal(value * 100, lang)}%`)
  const hourly = hourlyPoints(d.hourly, now, 72)
  const daily = dailyPoints(d.daily, (b) => b.tickets)
  // in shillings, so the axis reads 5k rather than 500k cents
  const dailyMoney = dailyPoints(d.daily, (b) => b.grossMinor / 100)
  const arrivals = d.checkIns.arrivals.map((a) => ({ label: a.bucket.slice(11, 16), value: a.count, key: a.bucket }))
  const table = t('analytics.chart.table')
  const i = d.insights
  return (
    <div id="dash-results">
      <h2>{t('analytics.export.title')}</h2>
      <ExportLinks t={t} filter={filter} base={exportBase} eventId={d.scope.eventId} />
      <p><a href="/manage/reports">{t('analytics.reports.link')}</a></p>

      <h2>{t('analytics.figures')}</h2>
      <Figures items={[
        ['sold', t('analytics.fig.sold'), t('analytics.fig.ofCapacity', { sold: count(d.totals.sold), capacity: count(d.totals.capacity) })],
        ['held', t('analytics.fig.held'), count(d.totals.held)],
        ['gross', t('analytics.fig.gross'), money(d.revenue.grossMinor, lang)],
        ['commission', t('analytics.fig.commission'), money(d.revenue.commissionMinor, lang)],
        ['net', t('analytics.fig.net'), money(d.revenue.netMinor, lang)],
        ['refunded', t('analytics.fig.refunded'), money(d.revenue.refundedMinor + d.revenue.refundPendingMinor, lang)],
        ['conversion', t('analytics.fig.conversion'), percent(d.conversion.rate)],
        ['velocity', t('analytics.fig.velocity'), t('analytics.fig.perHour', { count: formatDecimal(d.velocity, lang) })],
      ]} />
      <p class="method">{t('analytics.money.rule')}</p>

      <h2>{t('analytics.forecast.title')}</h2>
      <ForecastText t={t} lang={lang} dashboard={d} />

      <h2>{t('analytics.types.title')}</h2>
      <MeterChart id="chart-types" title={t('analytics.types.chart')}
        summary={t('analytics.fig.ofCapacity', { sold: count(d.totals.sold), capacity: count(d.totals.capacity) })}
        legend={<p class="legend"><span><span class="sw sold"></span>{t('analytics.fig.sold')}</span><span><span class="sw held"></span>{t('analytics.fig.held')}</span></p>}
        rows={d.ticketTypes.map((type) => ({
          label: d.scope.eventId ? type.name : `${type.eventTitle}: ${type.name}`, parts: [type.sold, type.held], whole: type.capacity,
          text: t('analytics.fig.ofCapacity', { sold: count(type.sold), capacity: count(type.capacity) }),
        }))} />
      <div class="dash-wrap" tabindex={0} role="region" aria-label={t('analytics.types.title')}>
        <table class="dash" id="types-table">
          <thead><tr>
            <th scope="col">{t('analytics.col.type')}</th><th scope="col" class="num">{t('analytics.col.price')}</th>
            <th scope="col" class="num">{t('analytics.fig.sold')}</th><th scope="col" class="num">{t('analytics.fig.held')}</th>
            <th scope="col" class="num">{t('analytics.col.capacity')}</th><th scope="col" class="num">{t('analytics.col.value')}</th>
            <th scope="col" class="num">{t('analytics.col.checkedIn')}</th>
          </tr></thead>
          <tbody>{d.ticketTypes.map((type) => (
            <tr><th scope="row">{d.scope.eventId ? type.name : `${type.eventTitle}: ${type.name}`}</th>
              <td class="num">{money(type.priceMinor, lang)}</td><td class="num">{count(type.sold)}</td><td class="num">{count(type.held)}</td>
              <td class="num">{count(type.capacity)}</td><td class="num">{money(type.soldValueMinor, lang)}</td><td class="num">{count(type.checkedIn)}</td></tr>
          ))}</tbody>
        </table>
      </div>

      <h2>{t('analytics.sales.title')}</h2>
      <div class="dash-grid">
        <BarChart id="chart-hourly" title={t('analytics.sales.hourly')} points={hourly} format={count}
          summary={t('analytics.sales.summary', { count: count(hourly.reduce((s, p) => s + p.value, 0)) })}
          labelHeader={t('analytics.col.hour')} valueHeader={t('analytics.col.tickets')} tableLabel={table} empty={t('analytics.none')} />
        <BarChart id="chart-daily" title={t('analytics.sales.daily')} points={daily} format={count}
          summary={t('analytics.sales.summary', { count: count(daily.reduce((s, p) => s + p.value, 0)) })}
          labelHeader={t('analytics.col.day')} valueHeader={t('analytics.col.tickets')} tableLabel={table} empty={t('analytics.none')} />
        <BarChart id="chart-revenue" title={t('analytics.sales.revenue')} points={dailyMoney} format={(v) => money(Math.round(v * 100), lang)}
          summary={t('analytics.sales.revenueSummary', { amount: money(d.revenue.grossMinor, lang) })}
          labelHeader={t('analytics.col.day')} valueHeader={t('analytics.fig.gross')} tableLabel={table} empty={t('analytics.none')} />
      </div>

      <h2>{t('analytics.conversion.title')}</h2>
      <p>{t('analytics.conversion.text', { holds: count(d.conversion.holds), paid: count(d.conversion.paid), lapsed: count(d.conversion.lapsed), open: count(d.conversion.open) })}</p>
      {d.conversion.reasons.length === 0 ? <p class="muted">{t('analytics.conversion.noFailures')}</p> : (
        <DataTable label={t('analytics.conversion.reasons')} labelHeader={t('analytics.col.reason')} valueHeader={t('analytics.col.count')}
          rows={d.conversion.reasons.map((r) => [t(`payments.recon.reason.${r.reason}` as MessageKey), count(r.count)])} />
      )}

      <h2>{t('analytics.checkins.title')}</h2>
      <Figures items={[
        ['admitted', t('analytics.checkins.admitted'), count(d.checkIns.admitted)],
        ['noShows', t('analytics.checkins.noShows'), d.checkIns.noShows == null ? t('analytics.checkins.notStarted') : count(d.checkIns.noShows)],
        ...d.checkIns.otherScans.map((s): [string, string, string] => [`scan-${s.result}`, t(`analytics.scan.${s.result}` as MessageKey), count(s.count)]),
      ]} />
      <BarChart id="chart-arrivals" title={t('analytics.checkins.arrivals')} points={arrivals} format={count}
        summary={t('analytics.checkins.summary', { count: count(d.checkIns.admitted) })}
        labelHeader={t('analytics.col.hour')} valueHeader={t('analytics.checkins.admitted')} tableLabel={table} empty={t('analytics.checkins.none')} />

      <h2>{t('analytics.secondary.title')}</h2>
      <Figures items={[
        ['transfers', t('analytics.secondary.transfers'), count(d.secondary.transfersCompleted)],
        ['transfersPending', t('analytics.secondary.transfersPending'), count(d.secondary.transfersPending)],
        ['transferFees', t('analytics.secondary.fees'), money(d.secondary.transferFeesMinor, lang)],
        ['resales', t('analytics.secondary.resales'), count(d.secondary.resalesSold)],
        ['resaleValue', t('analytics.secondary.resaleValue'), money(d.secondary.resaleValueMinor, lang)],
        ['listings', t('analytics.secondary.listings'), count(d.secondary.listingsActive)],
      ]} />

      <h2>{t('analytics.insights.title')}</h2>
      <p class="method">{t('analytics.insights.source')}</p>
      <Figures items={[
        ['guests', t('analytics.insights.guests'), `${count(i.guests)} / ${count(i.orders)}`],
        ['accounts', t('analytics.insights.accounts'), `${count(i.accounts)} / ${count(i.orders)}`],
        ['newBuyers', t('analytics.insights.new'), count(i.newBuyers)],
        ['returningBuyers', t('analytics.insights.returning'), count(i.returningBuyers)],
      ]} />
      <div class="dash-grid">
        <BarChart id="chart-per-order" title={t('analytics.insights.perOrder')} format={count}
          points={i.ticketsPerOrder.map((value, k) => ({ label: k === 4 ? '5+' : String(k + 1), value }))}
          summary={t('analytics.insights.ordersSummary', { count: count(i.orders) })}
          labelHeader={t('analytics.col.tickets')} valueHeader={t('analytics.col.orders')} tableLabel={table} empty={t('analytics.none')} />
        <BarChart id="chart-hour" title={t('analytics.insights.hour')} format={count}
          points={i.byHour.map((value, h) => ({ label: String(h).padStart(2, '0'), value }))}
          summary={t('analytics.insights.ordersSummary', { count: count(i.orders) })}
          labelHeader={t('analytics.col.hour')} valueHeader={t('analytics.col.orders')} tableLabel={table} empty={t('analytics.none')} />
        <MeterChart id="chart-network" title={t('analytics.insights.network')} summary={t('analytics.insights.ordersSummary', { count: count(i.orders) })}
          rows={(['safaricom', 'airtel', 'telkom', 'other'] as const).map((network) => ({
            label: t(`analytics.network.${network}` as MessageKey), parts: [i.networks[network]], whole: Math.max(i.orders, 1), text: count(i.networks[network]),
          }))} />
      </div>

      {d.perEvent.length > 0 && (
        <>
          <h2>{t('analytics.events.title')}</h2>
          <div class="dash-wrap" tabindex={0} role="region" aria-label={t('analytics.events.title')}>
            <table class="dash" id="events-table">
              <thead><tr><th scope="col">{t('analytics.col.event')}</th><th scope="col">{t('analytics.col.when')}</th>
                <th scope="col" class="num">{t('analytics.fig.sold')}</th><th scope="col" class="num">{t('analytics.fig.gross')}</th>
                <th scope="col" class="num">{t('analytics.fig.net')}</th></tr></thead>
              <tbody>{d.perEvent.map((event) => (
                <tr><th scope="row"><a href={`/manage/events/${event.id}/dashboard`}>{event.title}</a></th>
                  <td>{formatDateTime(event.startsAt, lang)}</td>
                  <td class="num">{t('analytics.fig.ofCapacity', { sold: count(event.sold), capacity: count(event.capacity) })}</td>
                  <td class="num">{money(event.grossMinor, lang)}</td><td class="num">{money(event.netMinor, lang)}</td></tr>
              ))}</tbody>
            </table>
          </div>
        </>
      )}
    </div>
  )
}

export function DashboardPage(props: DashboardPageProps) {
  const { t, dashboard: d, filter, action, types, fixedEvent, header } = props
  return (
    <section>
      <style>{raw(dashboardStyles)}</style>
      {header}
      {d.event ? <h1>{t('analytics.title.event', { event: d.event.title })}</h1> : <h2>{t('analytics.title')}</h2>}
      <p class="muted">{t('analytics.timeZone')}</p>
      {/* with htmx a change swaps only the results and the address follows; without it, Apply reloads the page */}
      <form method="get" action={action} class="dash-filter" hx-get={action} hx-trigger="submit, change"
        hx-target="#dash-results" hx-select="#dash-results" hx-swap="outerHTML" hx-push-url="true">
        {!fixedEvent && (
          <label>{t('analytics.filter.event')}
            <select name="event">
              <option value="">{t('analytics.filter.allEvents')}</option>
              {d.events.map((event) => <option value={event.id} selected={event.id === filter.eventId}>{event.title}</option>)}
            </select>
          </label>
        )}
        <label>{t('analytics.filter.type')}
          <select name="type">
            <option value="">{t('analytics.filter.allTypes')}</option>
            {types.map((type) => <option value={type.id} selected={type.id === filter.ticketTypeId}>{type.name}</option>)}
          </select>
        </label>
        <label>{t('analytics.filter.from')}<input type="date" name="from" value={filter.fromDay ?? ''} /></label>
        <label>{t('analytics.filter.to')}<input type="date" name="to" value={filter.toDay ?? ''} /></label>
        <button>{t('analytics.filter.apply')}</button>
      </form>
      <DashboardResults {...props} />
    </section>
  )
}
