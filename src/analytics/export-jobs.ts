/**
 * The background export (job kind `build-export`): counts the rows, reads them in keyset pages, each in
 * its own transaction under the requesting manager's tenant context (RLS applies as for a request),
 * records progress after every page so the page polling it moves, and stores the finished file.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext, type RequestContext } from '../db/request-context.ts'
import type { ExportDataset, ExportFormat } from '../db/schema.ts'
import { translator, type Lang } from '../i18n/index.ts'
import { datasetCount, datasetPage, type ExportRow } from './datasets.ts'
import { scopeOf } from './dashboard-service.ts'
import { buildDatasetFile, checkedColumns, MAX_EXPORT_ROWS } from './export-service.ts'
import { filterOfSaved } from './report-service.ts'

async function bytesOf(body: Uint8Array | ReadableStream<Uint8Array>): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body
  return new Uint8Array(await new Response(body).arrayBuffer())
}

export async function buildExportJob(db: Database, payload: Record<string, unknown>, now: Date): Promise<void> {
  const jobId = typeof payload.jobId === 'string' ? payload.jobId : ''
  if (!/^[0-9a-f-]{36}$/i.test(jobId)) return
  const job = await withContext(db, SYSTEM, (trx) => trx.updateTable('export_jobs').set({ status: 'running' })
    .where('id', '=', jobId).where('status', 'in', ['pending', 'running']).returningAll().executeTakeFirst())
  if (!job) return // done, failed or gone: nothing to do (a redelivery)
  const setProgress = (values: { total_rows?: number; done_rows?: number }) =>
    withContext(db, SYSTEM, (trx) => trx.updateTable('export_jobs').set(values).where('id', '=', jobId).execute())
  try {
    const context: RequestContext = { role: 'manager', tenantId: job.tenant_id, userId: job.requested_by }
    const filters = (job.filters ?? {}) as Record<string, unknown>
    const lang: Lang = filters.lang === 'sw' ? 'sw' : 'en'
    const scope = scopeOf(job.tenant_id, filterOfSaved(filters))
    const dataset = job.dataset as ExportDataset
    const columns = checkedColumns(dataset, job.columns)
    const total = await withContext(db, context, (trx) => datasetCount(trx, dataset, scope))
    if (total > MAX_EXPORT_ROWS) throw new Error(`export of ${total} rows is over the limit`)
    await setProgress({ total_rows: total, done_rows: 0 })
    const rows: ExportRow[] = []
    let after: string | null = null
    do {
      const page = await withContext(db, context, (trx) => datasetPage(trx, dataset, scope, after))
      rows.push(...page.rows)
      after = page.last
      await setProgress({ done_rows: Math.min(rows.length, total) })
    } while (after !== null)
    const file = await buildDatasetFile({ dataset, format: job.file_type as ExportFormat, columns }, rows,
      { t: translator(lang), lang, now, scopeTitle: dataset })
    const body = await bytesOf(file.body)
    await withContext(db, SYSTEM, (trx) => trx.updateTable('export_jobs').set({
      status: 'done', done_rows: rows.length, total_rows: Math.max(total, rows.length), filename: file.filename,
      content_type: file.contentType, result: body, finished_at: now,
    }).where('id', '=', jobId).execute())
  } catch (error) {
    // a bad filter or an oversized export will not get better on a retry: the page says it failed
    await withContext(db, SYSTEM, (trx) => trx.updateTable('export_jobs').set({
      status: 'failed', error: String((error as Error)?.message ?? error).slice(0, 300), finished_at: now,
    }).where('id', '=', jobId).execute())
  }
}

/** Drops finished files past their 24 hours (they hold buyers' contacts). Run with the hold sweep. */
export async function dropExpiredExports(db: Database, now: Date): Promise<void> {
  await withContext(db, SYSTEM, (trx) => trx.updateTable('export_jobs').set({ result: null })
    .where('expires_at', '<=', now).where('result', 'is not', null).execute())
}
