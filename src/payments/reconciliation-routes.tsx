/**
 * /manage/payments: the manager's reconciliation of M-Pesa payments (totals, transactions, flags), and
 * /manage/payments.csv, the same filter as a spreadsheet. Managers of the active tenant only; every
 * query runs in that tenant's context (RLS) and names the tenant as well.
 */
import type { Context } from 'hono'
import { ReconciliationPage } from '../../views/payments/reconciliation-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import {
  allTransactions, assertTenantEvent, listFlags, listTransactions, parseReconQuery, RECON_FLAG_LIMIT, RECON_PAGE_SIZE, reconciliationTotals,
  tenantEvents, transactionsCsv, type ReconFilter, type ReconQuery,
} from './reconciliation-service.ts'
import { listRefunds } from './refund-queries.ts'
import { listPayouts, payoutTotals } from '../payouts/payout-queries.ts'

export const reconciliationRoutes = factory.createApp()
reconciliationRoutes.use('/manage/payments', requireManager)
reconciliationRoutes.use('/manage/payments.csv', requireManager)
reconciliationRoutes.use('/manage/payments/*', requireManager)

function filterOf(c: Context<AppEnv>, query: ReconQuery): ReconFilter {
  return { tenantId: staffMember(c).tenantId, eventId: query.eventId, status: query.status }
}

/** A URL with the current filter (and a page when given). */
function linkTo(query: ReconQuery) {
  return (path: string, page?: number) => {
    const params = new URLSearchParams()
    if (query.eventId) params.set('event', query.eventId)
    if (query.status) params.set('status', query.status)
    if (page && page > 1) params.set('page', String(page))
    const search = params.toString()
    return search ? `${path}?${search}` : path
  }
}

reconciliationRoutes.get('/manage/payments', async (c) => {
  const query = parseReconQuery(c.req.query())
  const filter = filterOf(c, query)
  const data = await withUserContext(c, async (trx) => {
    if (filter.eventId) await assertTenantEvent(trx, filter.tenantId, filter.eventId)
    return {
      events: await tenantEvents(trx, filter.tenantId),
      totals: await reconciliationTotals(trx, filter),
      transactions: await listTransactions(trx, filter, query.page),
      flags: await listFlags(trx, filter),
      refunds: await listRefunds(trx, filter, RECON_FLAG_LIMIT),
      payouts: await listPayouts(trx, filter, RECON_FLAG_LIMIT),
      payoutTotals: await payoutTotals(trx, filter),
    }
  })
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('payments.recon.title'),
    scripts: ['htmx', 'tikiti'],
    body: <ReconciliationPage t={c.var.t} lang={c.var.lang} events={data.events} eventId={query.eventId} status={query.status}
      page={query.page} pages={Math.max(1, Math.ceil(data.totals.all / RECON_PAGE_SIZE))} totals={data.totals}
      transactions={data.transactions} flags={data.flags} refunds={data.refunds} payouts={data.payouts}
      payoutTotals={data.payoutTotals} href={linkTo(query)} />,
  })
})

reconciliationRoutes.get('/manage/payments.csv', async (c) => {
  const query = parseReconQuery(c.req.query())
  const filter = filterOf(c, query)
  const rows = await withUserContext(c, async (trx) => {
    if (filter.eventId) await assertTenantEvent(trx, filter.tenantId, filter.eventId)
    return { payments: await allTransactions(trx, filter), refunds: await listRefunds(trx, filter), payouts: await listPayouts(trx, filter) }
  })
  const day = c.var.now.toISOString().slice(0, 10)
  c.header('Cache-Control', 'private, no-store')
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', `attachment; filename="payments-${day}.csv"`)
  // the byte-order mark makes Excel read the file as UTF-8 (event names)
  return c.body(`\uFEFF${transactionsCsv(rows.payments, rows.refunds, rows.payouts)}`)
})
