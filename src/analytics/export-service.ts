/**
 * Builds an export file from a dataset in any of the three formats, or the summary report and the
 * check-in list. The routes answer with it directly; the export job stores it for a later download.
 */
import type { Queryable } from '../db/database.ts'
import type { ExportDataset, ExportFormat } from '../db/schema.ts'
import { formatCount, formatDateTime, formatMoney } from '../i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../i18n/index.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { assertScope, type Dashboard } from './dashboard-service.ts'
import { columnHeaderKey, datasetRows, EXPORT_FORMATS, isDataset, pickColumns, type ColumnDef, type ExportRow } from './datasets.ts'
import type { FigureScope } from './figure-queries.ts'
import { csvStream } from './formats/csv.ts'
import { dailyPoints, hourlyPoints } from './series.ts'
import { checkInListPdf, summaryPdf, tablePdf } from './formats/pdf.ts'
import { xlsxBytes } from './formats/xlsx.ts'

/** Above this many rows, Excel and PDF exports are prepared as a job (CSV streams at any size). */
export const DIRECT_EXPORT_ROWS = 20_000
/** A job may build this many rows at most. */
export const MAX_EXPORT_ROWS = 200_000

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
}

export interface ExportRequest {
  dataset: ExportDataset
  format: ExportFormat
  columns: ColumnDef[]
}

/** "attendees.xlsx" (+ `?columns=a,b`) read strictly: unknown datasets, formats or columns are a 4xx. */
export function parseExportFile(file: string, columns?: string): ExportRequest {
  const match = /^([a-z-]+)\.([a-z]+)$/.exec(file)
  if (!match || !isDataset(match[1]!)) throw new DomainError(404, 'unknown_dataset', 'analytics.export.unknownDataset')
  const format = match[2]!
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new DomainError(404, 'unknown_format', 'analytics.reports.badFormat')
  const wanted = columns ? columns.split(',').map((c) => c.trim()).filter(Boolean) : undefined
  return { dataset: match[1] as ExportDataset, format: format as ExportFormat, columns: checkedColumns(match[1] as ExportDataset, wanted) }
}

export function checkedColumns(dataset: ExportDataset, wanted: string[] | undefined): ColumnDef[] {
  if (wanted && wanted.length > 40) throw new DomainError(400, 'unknown_columns', 'analytics.reports.unknownColumns', { columns: wanted.slice(40).join(', ').slice(0, 200) })
  const { columns, unknown } = pickColumns(dataset, wanted)
  if (unknown.length > 0) throw new DomainError(400, 'unknown_columns', 'analytics.reports.unknownColumns', { columns: unknown.join(', ').slice(0, 200) })
  if (columns.length === 0) throw new DomainError(400, 'no_columns', 'analytics.reports.noColumns')
  return columns
}

export function filenameOf(dataset: string, format: ExportFormat, now: Date): string {
  return `${dataset}-${now.toISOString().slice(0, 10)}.${format}`
}

/** Every row, page by page, in the caller's transaction; stops with a 413 past `limit`. */
export async function collectRows(db: Queryable, dataset: ExportDataset, scope: FigureScope, limit: number, onPage?: (done: number) => Promise<void>): Promise<ExportRow[]> {
  const rows: ExportRow[] = []
  for await (const page of datasetRows(db, dataset, scope)) {
    for (const row of page) rows.push(row)
    if (rows.length > limit) throw new DomainError(413, 'export_too_large', 'analytics.export.tooLarge', { count: `${formatCount(limit, 'en')}+` })
    if (onPage) await onPage(rows.length)
  }
  return rows
}

export interface BuiltFile {
  filename: string
  contentType: string
  body: Uint8Array | ReadableStream<Uint8Array>
}

function headersOf(t: Translator, columns: ColumnDef[]) {
  return columns.map((column) => t(columnHeaderKey(column.key)))
}

const pageLabel = (t: Translator) => (page: number, pages: number) => t('analytics.pdf.page', { page, pages })

/** A dataset's rows as the requested format. CSV comes back as a stream of the rows' pages. */
export async function buildDatasetFile(
  request: ExportRequest, rows: ExportRow[], context: { t: Translator; lang: Lang; now: Date; scopeTitle: string },
): Promise<BuiltFile> {
  const { t, lang, now } = context
  const headers = headersOf(t, request.columns)
  const title = t(`analytics.dataset.${request.dataset}` as MessageKey)
  const filename = filenameOf(request.dataset, request.format, now)
  const contentType = CONTENT_TYPES[request.format]
  if (request.format === 'csv') {
    const pages = function* () { for (let i = 0; i < rows.length; i += 1000) yield rows.slice(i, i + 1000) }
    return { filename, contentType, body: csvStream(request.columns, headers, pages()) }
  }
  if (request.format === 'xlsx') return { filename, contentType, body: await xlsxBytes(title, request.columns, headers, rows) }
  const subtitle = `${context.scopeTitle} · ${t('analytics.pdf.generated', { date: formatDateTime(now, lang) })} · ${t('analytics.pdf.rows', { count: formatCount(rows.length, lang) })}`
  return { filename, contentType, body: await tablePdf({ title, subtitle, columns: request.columns, headers, rows, pageLabel: pageLabel(t) }) }
}

/** The printable check-in list of one event: every attendee with a box to tick. */
export async function buildCheckInList(rows: ExportRow[], context: { t: Translator; lang: Lang; now: Date; eventTitle: string }): Promise<BuiltFile> {
  const { t, lang, now } = context
  const body = await checkInListPdf({
    title: `${t('analytics.pdf.checkinTitle')}: ${context.eventTitle}`,
    subtitle: `${t('analytics.pdf.generated', { date: formatDateTime(now, lang) })} · ${t('analytics.pdf.rows', { count: formatCount(rows.length, lang) })}`,
    headers: {
      tick: t('analytics.pdf.tick'), holder: t('analytics.column.holder'), ticket: t('analytics.column.ticket'),
      type: t('analytics.column.ticket_type'), phone: t('analytics.column.phone'),
    },
    rows, pageLabel: pageLabel(t),
  })
  return { filename: `checkin-list-${now.toISOString().slice(0, 10)}.pdf`, contentType: CONTENT_TYPES.pdf, body }
}

/** The dashboard as a PDF report with its charts. */
export async function buildSummary(d: Dashboard, context: { t: Translator; lang: Lang; now: Date; scopeTitle: string }): Promise<BuiltFile> {
  const { t, lang, now } = context
  const money = (minor: number) => formatMoney(minor, 'KES', lang)
  const count = (n: number) => formatCount(n, lang)
  const body = await summaryPdf({
    title: `${t('analytics.pdf.summaryTitle')}: ${context.scopeTitle}`,
    subtitle: t('analytics.pdf.generated', { date: formatDateTime(now, lang) }),
    figures: [
      [t('analytics.fig.sold'), t('analytics.fig.ofCapacity', { sold: count(d.totals.sold), capacity: count(d.totals.capacity) })],
      [t('analytics.fig.held'), count(d.totals.held)],
      [t('analytics.fig.gross'), money(d.revenue.grossMinor)],
      [t('analytics.fig.commission'), money(d.revenue.commissionMinor)],
      [t('analytics.fig.net'), money(d.revenue.netMinor)],
      [t('analytics.fig.refunded'), money(d.revenue.refundedMinor + d.revenue.refundPendingMinor)],
      [t('analytics.fig.conversion'), d.conversion.rate == null ? '—' : `${count(Math.round(d.conversion.rate * 1000) / 10)}%`],
      [t('analytics.checkins.admitted'), count(d.checkIns.admitted)],
      [t('analytics.secondary.transfers'), count(d.secondary.transfersCompleted)],
      [t('analytics.secondary.resales'), count(d.secondary.resalesSold)],
    ],
    typeHeaders: [t('analytics.col.type'), t('analytics.fig.sold'), t('analytics.fig.held'), t('analytics.col.capacity'), t('analytics.col.value')],
    types: d.ticketTypes.map((type) => [
      d.scope.eventId ? type.name : `${type.eventTitle}: ${type.name}`, count(type.sold), count(type.held), count(type.capacity), money(type.soldValueMinor),
    ]),
    charts: [
      { title: t('analytics.sales.daily'), points: dailyPoints(d.daily, (b) => b.tickets) },
      { title: t('analytics.sales.hourly'), points: hourlyPoints(d.hourly, now, 72) },
      { title: t('analytics.checkins.arrivals'), points: d.checkIns.arrivals.map((a) => ({ label: a.bucket.slice(11, 16), value: a.count })) },
      { title: t('analytics.insights.hour'), points: d.insights.byHour.map((value, h) => ({ label: String(h).padStart(2, '0'), value })) },
    ],
    notes: [t('analytics.money.rule'), t('analytics.forecast.method', { hours: 72 }), t('analytics.insights.source')],
    pageLabel: pageLabel(t),
  })
  return { filename: `summary-${now.toISOString().slice(0, 10)}.pdf`, contentType: CONTENT_TYPES.pdf, body }
}

/** The check-in list's rows: every attendee of the event, whatever the date range, and the event's title. */
export async function checkInListRows(db: Queryable, scope: FigureScope): Promise<{ rows: ExportRow[]; title: string }> {
  await assertScope(db, scope)
  let query = db.selectFrom('events').select('title').where('id', '=', scope.eventId!)
  if (scope.tenantId) query = query.where('tenant_id', '=', scope.tenantId)
  const event = await query.executeTakeFirstOrThrow()
  return { rows: await collectRows(db, 'attendees', { ...scope, from: undefined, to: undefined }, MAX_EXPORT_ROWS), title: event.title }
}
