/**
 * Live attendance for managers. The figures refresh themselves with htmx every 5 s (the same URL
 * answers the fragment to an htmx request); the scan log filters by a plain GET form and exports CSV.
 */
import { formatCount, formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import type { attendanceFigures, doubleEntries, ScanLogFilter, ScanLogRow } from '../../src/scanning/attendance-queries.ts'
import { SCAN_RESULTS } from '../../src/scanning/attendance-queries.ts'
import type { listDevices } from '../../src/scanning/devices.ts'
import { LabelledTable, LabelledTableStyles } from '../components/labelled-table.tsx'

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
      <LabelledTable headers={[t('attendance.type'), t('attendance.admittedColumn'), t('attendance.expectedColumn')]}
        rows={figures.types.map((row) => [row.name, c(row.admitted), c(row.expected)])} />
      <h2>{t('attendance.byGate')}</h2>
      <LabelledTable headers={[t('attendance.gate'), t('attendance.admittedColumn'), t('attendance.scans')]}
        rows={figures.gates.map((row) => [row.gate || '—', c(row.admitted), c(row.scans)])} />
      <h2>{t('attendance.byDevice')}</h2>
      <LabelledTable headers={[t('attendance.device'), t('attendance.admittedColumn'), t('attendance.scans'), t('attendance.lastSync')]}
        rows={figures.devices.map((row) => [row.deviceId.slice(0, 8), c(row.admitted), c(row.scans), when(row.lastSync, lang)])} />
      <h2>{t('attendance.arrivals')}</h2>
      <LabelledTable headers={[t('attendance.slot'), t('attendance.admittedColumn')]}
        rows={figures.arrivals.map((row) => [when(row.slot, lang), c(row.count)])} />
      <h2>{t('attendance.phones')}</h2>
      <LabelledTable headers={[t('attendance.device'), t('attendance.person'), t('attendance.lastSeen'), t('attendance.token')]}
        rows={devices.map((row) => [
          `${row.device_id.slice(0, 8)} ${row.label.slice(0, 24)}`, row.name ?? row.email, when(row.last_seen_at, lang),
          row.revoked_at ? t('attendance.revoked') : (
            <form method="post" action={`/manage/events/${event.id}/devices/${row.id}/revoke`}><button>{t('attendance.revoke')}</button></form>
          ),
        ])} />
    </div>
  )
}

export function AttendancePage(props: Props) {
  const { t, lang, event, log, filter } = props
  const query = new URLSearchParams(Object.entries(filter).filter(([, v]) => v) as Array<[string, string]>).toString()
  return (
    <section>
      <LabelledTableStyles />
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
      <LabelledTable id="scan-log"
        headers={[t('attendance.when'), t('attendance.result'), t('attendance.ticket'), t('attendance.gate'), t('attendance.device'), t('attendance.synced')]}
        rows={log.map((row) => [
          when(row.scanned_at, lang),
          `${t(`gate.result.${row.scan_result}` as 'gate.result.valid')}${row.entered && row.scan_result !== 'valid' ? ` · ${t('attendance.gotIn')}` : ''}${row.undone_at ? ` · ${t('attendance.undone')}` : ''}`,
          `${row.ticket_id?.slice(0, 8) ?? '—'} ${row.type_name ?? ''}`, row.gate ?? '—', row.device_id?.slice(0, 8) ?? '—',
          row.offline ? when(row.synced_at, lang) : t('attendance.online'),
        ])} />
    </section>
  )
}
