/** SQL for the platform dashboard: money per tenant and per event, across every tenant (super admin context). */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import { MONEY, transactionScope, type FigureScope } from './figure-queries.ts'

export interface MoneyRow {
  id: string
  name: string
  /** The tenant of an event row (its own id for a tenant row). */
  tenantName: string
  grossMinor: number
  commissionMinor: number
  refundedMinor: number
  refundPendingMinor: number
  completed: number
  failed: number
}

const n = (value: unknown) => Number(value ?? 0)

function moneyRow(row: Record<string, unknown>): MoneyRow {
  return {
    id: String(row.id), name: String(row.name), tenantName: String(row.tenant_name), grossMinor: n(row.gross),
    commissionMinor: n(row.commission), refundedMinor: n(row.refunded), refundPendingMinor: n(row.refund_pending),
    completed: n(row.completed), failed: n(row.failed),
  }
}

const MONEY_COLUMNS = sql`${MONEY.gross} as gross, ${MONEY.commission} as commission, ${MONEY.refunded} as refunded,
  ${MONEY.refundPending} as refund_pending, count(*) filter (where tx.status in ('completed', 'partially_refunded')) as completed,
  count(*) filter (where tx.status = 'failed') as failed`

/** GMV, commission and refunds per tenant, largest first. */
export async function moneyByTenant(db: Queryable, scope: FigureScope): Promise<MoneyRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select te.id, te.name, te.name as tenant_name, ${MONEY_COLUMNS}
    from transactions tx join tenants te on te.id = tx.tenant_id
    where ${transactionScope(scope)} group by te.id, te.name order by gross desc, te.name`.execute(db)
  return rows.map(moneyRow)
}

/** The same per event, largest first; `limit` for the top events. */
export async function moneyByEvent(db: Queryable, scope: FigureScope, limit = 1000): Promise<MoneyRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select e.id, e.title as name, te.name as tenant_name, ${MONEY_COLUMNS}
    from transactions tx join events e on e.id = tx.event_id join tenants te on te.id = tx.tenant_id
    where ${transactionScope(scope)} group by e.id, e.title, te.name order by gross desc, e.title limit ${limit}`.execute(db)
  return rows.map(moneyRow)
}
