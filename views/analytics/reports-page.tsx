import { raw } from 'hono/html'
import { columnHeaderKey, DATASET_COLUMNS, EXPORT_DATASETS } from '../../src/analytics/datasets.ts'
import type { ExportJobView, SavedReport } from '../../src/analytics/report-service.ts'
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { valueOf } from '../../src/http/forms.ts'
import { formatCount, formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { FormProblem, Notice } from '../components/form.tsx'
import { dashboardStyles } from './dashboard-page.tsx'

export interface ReportsPageProps {
  t: Translator
  lang: Lang
  reports: SavedReport[]
  jobs: Array<{ id: string; dataset: string; file_type: string; status: string; total_rows: number; done_rows: number; created_at: Date }>
  events: Array<{ id: string; title: string }>
  notice?: string
  errors?: FieldErrors
  values?: FormValues
}

function reportLink(report: SavedReport, format: string): string {
  const params = new URLSearchParams(report.filters as Record<string, string>)
  params.set('columns', report.columns.join(','))
  return `/manage/exports/${report.dataset}.${format}?${params}`
}

export function ReportsPage({ t, lang, reports, jobs, events, notice, errors, values = {} }: ReportsPageProps) {
  const chosen = new Set(Array.isArray(values.columns) ? values.columns : values.columns ? [values.columns] : [])
  return (
    <section>
      <style>{raw(dashboardStyles)}</style>
      <p><a href="/manage">← {t('manage.title')}</a></p>
      <h1>{t('analytics.reports.title')}</h1>
      <p class="muted">{t('analytics.reports.intro')}</p>
      {notice && <Notice kind="success">{notice}</Notice>}

      {reports.length === 0 ? <p class="muted">{t('analytics.reports.none')}</p> : (
        <ul class="cards" id="reports">
          {reports.map((report) => (
            <li class="card">
              <strong>{report.name}</strong> <span class="badge">{t(`analytics.dataset.${report.dataset}` as MessageKey)}</span>
              <p class="meta">{report.columns.map((key) => t(columnHeaderKey(key))).join(', ')}</p>
              <p><a href={reportLink(report, 'csv')}>CSV</a> · <a href={reportLink(report, 'xlsx')}>Excel</a> · <a href={reportLink(report, 'pdf')}>PDF</a></p>
              <form method="post" action={`/manage/reports/${report.id}/jobs`} class="dash-filter">
                <label>{t('analytics.reports.format')}
                  <select name="format"><option value="csv">CSV</option><option value="xlsx">Excel</option><option value="pdf">PDF</option></select>
                </label>
                <button>{t('analytics.reports.background')}</button>
              </form>
              <form method="post" action={`/manage/reports/${report.id}/delete`}>
                <button class="secondary">{t('analytics.reports.delete')}</button>
              </form>
            </li>
          ))}
        </ul>
      )}

      {jobs.length > 0 && (
        <>
          <h2>{t('analytics.reports.jobs')}</h2>
          <ul id="jobs">
            {jobs.map((job) => (
              <li><a href={`/manage/exports/jobs/${job.id}`}>{t(`analytics.dataset.${job.dataset}` as MessageKey)} ({job.file_type.toUpperCase()})</a>{' '}
                · {formatDateTime(job.created_at, lang)} · {job.status}</li>
            ))}
          </ul>
        </>
      )}

      <h2>{t('analytics.reports.save')}</h2>
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/manage/reports" class="stack">
        <p class="field"><label for="r-name">{t('analytics.reports.name')}</label>
          <input id="r-name" name="name" required maxlength={80} value={valueOf(values, 'name')} /></p>
        <p class="field"><label for="r-dataset">{t('analytics.reports.dataset')}</label>
          <select id="r-dataset" name="dataset">
            {EXPORT_DATASETS.map((dataset) => <option value={dataset} selected={valueOf(values, 'dataset') === dataset}>{t(`analytics.dataset.${dataset}` as MessageKey)}</option>)}
          </select></p>
        {/* one group per dataset: only the chosen dataset's boxes count, so the form works without JavaScript */}
        {EXPORT_DATASETS.map((dataset) => (
          <fieldset>
            <legend>{t('analytics.reports.columns')}: {t(`analytics.dataset.${dataset}` as MessageKey)}</legend>
            {DATASET_COLUMNS[dataset].map((column) => (
              <label class="check"><input type="checkbox" name="columns" value={`${dataset}:${column.key}`}
                checked={chosen.size === 0 || chosen.has(`${dataset}:${column.key}`)} /> {t(columnHeaderKey(column.key))}</label>
            ))}
          </fieldset>
        ))}
        <div class="dash-filter">
          <label>{t('analytics.filter.event')}
            <select name="event">
              <option value="">{t('analytics.filter.allEvents')}</option>
              {events.map((event) => <option value={event.id} selected={valueOf(values, 'event') === event.id}>{event.title}</option>)}
            </select>
          </label>
          <label>{t('analytics.filter.from')}<input type="date" name="from" value={valueOf(values, 'from')} /></label>
          <label>{t('analytics.filter.to')}<input type="date" name="to" value={valueOf(values, 'to')} /></label>
        </div>
        <button>{t('analytics.reports.save')}</button>
      </form>
    </section>
  )
}

/** The job's progress; while it runs, htmx polls this fragment every two seconds (a reload does without JavaScript). */
export function JobProgress({ t, lang, job, now }: { t: Translator; lang: Lang; job: ExportJobView; now: Date }) {
  const running = job.status === 'pending' || job.status === 'running'
  const percent = job.total_rows > 0 ? Math.floor((job.done_rows / job.total_rows) * 100) : job.status === 'done' ? 100 : 0
  return (
    <div id="job-progress" aria-live="polite" hx-get={running ? `/manage/exports/jobs/${job.id}` : undefined}
      hx-trigger={running ? 'every 2s' : undefined} hx-select="#job-progress" hx-swap="outerHTML">
      {job.status === 'pending' && job.total_rows === 0 && <p>{t('analytics.job.pending')}</p>}
      {(running || job.status === 'done') && (
        <>
          <progress max={100} value={percent} aria-label={t('analytics.job.title')}>{percent}%</progress>
          <p data-progress={percent}>{t('analytics.job.progress', { percent, done: formatCount(job.done_rows, lang), total: formatCount(job.total_rows, lang) })}</p>
        </>
      )}
      {job.status === 'done' && (job.has_result && job.expires_at > now
        ? <p>{t('analytics.job.ready')} <a class="button" href={`/manage/exports/jobs/${job.id}/download`}>{t('analytics.job.download', { file: job.filename ?? '' })}</a></p>
        : <p>{t('analytics.job.expired')}</p>)}
      {job.status === 'failed' && <Notice kind="error">{t('analytics.job.failed')}</Notice>}
      {running && <p><a href={`/manage/exports/jobs/${job.id}`}>{t('analytics.job.refresh')}</a></p>}
    </div>
  )
}

export function JobPage(props: { t: Translator; lang: Lang; job: ExportJobView; now: Date }) {
  const { t } = props
  return (
    <section>
      <p><a href="/manage/reports">← {t('analytics.reports.title')}</a></p>
      <h1>{t('analytics.job.title')}</h1>
      <p class="muted">{t(`analytics.dataset.${props.job.dataset}` as MessageKey)} ({props.job.file_type.toUpperCase()})</p>
      <JobProgress {...props} />
    </section>
  )
}
