/**
 * Live attendance for managers. The figures refresh themselves with htmx every 5 s (the same URL
 * answers the fragment to an htmx request); the scan log filters by a plain GET form and exports CSV.
 */
import { formatCount, formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import type { attendanceFigures, doubleEntries, ScanLogFilter, ScanLogRow } from '../../src/scanning/attendance-queries.ts'
import { SCAN_RESULTS } from '../../src/scanning/attendance-queries.ts'
import type { listDevices } from '../../src/scanning/devices.ts'

type Figures = Awaited<ReturnType<typeof attendanceFigures>>
type Doubles = Awaited<ReturnType<typeof doubleEntries>>
type Devices = Awaited<ReturnType<typeof listDevices>>

interface Props {
  t: Translator
  lang: Lang
  event: { id: string; title: string }
  figures: Figures
  doubles: Doubles
  devices: Devices
  log: ScanLogRow[]
  filter: ScanLogFilter
  csrfPath: string
}

const when = (date: Date | null | undefined, lang: Lang) => (date ? formatDateTime(date, lang) : '—')

export function AttendanceFigures({ t, lang, event, figures, doubles, devices }: Omit<Props, 'log' | 'filter' | 'csrfPath'>) {
  const c = (n: number) => formatCount(n, lang)
  return (
    <div id="attendance-figures" hx-get={`/manage/events/${event.id}/attendance`} hx-trigger="every 5s" hx-select="#attendance-figures"
      hx-target="this" hx-swap="outerHTML">
      <p class="lead"><strong>{t('attendance.admitted', { admitted: c(figures.admitted), expected: c(figures.expected) })}</strong></p>
      <p>{t('attendance.refusals', { duplicates: c(figures.duplicates), refused: c(figures.refused) })}</p>
      {doubles.length > 0 && (
        <section class="notice error" role="alert">
          <h2>{t('attendance.doubleEntries', { count: c(doubles.length) })}</h2>
          <ul>{doubles.map((row) => (
            <li>{when(row.scanned_at, lang)} · {t(`gate.result.${row.scan_result}` as 'gate.result.valid')} · {row.ticket_id?.slice(0, 8) ?? '—'} · {row.gate ?? '—'} · {row.device_id?.slice(0, 8)}</li>
          ))}</ul>
        </section>
      )}
      <h2>{t('attendance.byType')}</h2>
      <table><thead><tr><th>{t('attendance.type')}</th><th>{t('attendance.admittedColumn')}</th><th>{t('attendance.expectedColumn')}</th></tr></thead>
        <tbody>{figures.types.map((row) => <tr><td>{row.name}</td><td>{c(row.admitted)}</td><td>{c(row.expected)}</td></tr>)}</tbody></table>
      <h2>{t('attendance.byGate')}</h2>
      <table><thead><tr><th>{t('attendance.gate')}</th><th>{t('attendance.admittedColumn')}</th><th>{t('attendance.scans')}</th></tr></thead>
        <tbody>{figures.gates.map((row) => <tr><td>{row.gate || '—'}</td><td>{c(row.admitted)}</td><td>{c(row.scans)}</td></tr>)}</tbody></table>
      <h2>{t('attendance.byDevice')}</h2>
      <table><thead><tr><th>{t('attendance.device')}</th><th>{t('attendance.admittedColumn')}</th><th>{t('attendance.scans')}</th><th>{t('attendance.lastSync')}</th></tr></thead>
        <tbody>{figures.devices.map((row) => <tr><td>{row.deviceId.slice(0, 8)}</td><td>{c(row.admitted)}</td><td>{c(row.scans)}</td><td>{when(row.lastSync, lang)}</td></tr>)}</tbody></table>
      <h2>{t('attendance.arrivals')}</h2>
      <table><thead><tr><th>{t('attendance.slot')}</th><th>{t('attendance.admittedColumn')}</th></tr></thead>
        <tbody>{figures.arrivals.map((row) => <tr><td>{when(row.slot, lang)}</td><td>{c(row.count)}</td></tr>)}</tbody></table>
      <h2>{t('attendance.phones')}</h2>
      <table><thead><tr><th>{t('attendance.device')}</th><th>{t('attendance.person')}</th><th>{t('attendance.lastSeen')}</th><th>{t('attendance.token')}</th></tr></thead>
        <tbody>{devices.map((row) => (
          <tr><td>{row.device_id.slice(0, 8)} {row.label.slice(0, 24)}</td><td>{row.name ?? row.email}</td><td>{when(row.last_seen_at, lang)}</td>
            <td>{row.revoked_at ? t('attendance.revoked') : (
              <form method="post" action={`/manage/events/${event.id}/devices/${row.id}/revoke`}><button>{t('attendance.revoke')}</button></form>
            )}</td></tr>
        ))}</tbody></table>
    </div>
  )
}

export function AttendancePage(props: Props) {
  const { t, lang, event, log, filter } = props
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>).toString()
  return (
    <section>
      <h1>{t('attendance.title', { event: event.title })}</h1>
      <p class="meta">{t('attendance.timeZone')}</p>
      <AttendanceFigures {...props} />
      <h2 id="log">{t('attendance.log')}</h2>
      <form method="get" action={`/manage/events/${event.id}/attendance`} class="filters">
        <label>{t('attendance.result')}
          <select name="result"><option value="">{t('attendance.all')}</option>
            {SCAN_RESULTS.map((result) => <option value={result} selected={filter.result === result}>{t(`gate.result.${result}`)}</option>)}
          </select></label>
        <label>{t('attendance.gate')} <input name="gate" value={filter.gate ?? ''} maxlength={60} /></label>
        <label>{t('attendance.device')} <input name="device" value={filter.device ?? ''} maxlength={64} /></label>
        <button>{t('attendance.filter')}</button>
        <a href={`/manage/events/${event.id}/attendance/scans.csv${query ? `?${query}` : ''}`}>{t('attendance.csv')}</a>
      </form>
      <table id="scan-log"><thead><tr><th>{t('attendance.when')}</th><th>{t('attendance.result')}</th><th>{t('attendance.ticket')}</th>
        <th>{t('attendance.gate')}</th><th>{t('attendance.device')}</th><th>{t('attendance.synced')}</th></tr></thead>
        <tbody>{log.map((row) => (
          <tr><td>{when(row.scanned_at, lang)}</td>
            <td>{t(`gate.result.${row.scan_result}` as 'gate.result.valid')}{row.entered && row.scan_result !== 'valid' ? ` · ${t('attendance.gotIn')}` : ''}{row.undone_at ? ` · ${t('attendance.undone')}` : ''}</td>
            <td>{row.ticket_id?.slice(0, 8) ?? '—'} {row.type_name ?? ''}</td><td>{row.gate ?? '—'}</td><td>{row.device_id?.slice(0, 8)}</td>
            <td>{row.offline ? when(row.synced_at, lang) : t('attendance.online')}</td></tr>
        ))}</tbody></table>
    </section>
  )
}
