/** The platform dashboard: money across every tenant, per tenant and per event, and how payments fare. */
import type { Queryable } from '../db/database.ts'
import { moneyByEvent, moneyByTenant, type MoneyRow } from './admin-queries.ts'
import { assertScope } from './dashboard-service.ts'
import { revenueFigures, type FigureScope, type RevenueFigures } from './figure-queries.ts'

export const TOP_EVENTS = 10

export interface PlatformDashboard {
  revenue: RevenueFigures
  /** Completed of completed + failed; null before any payment was decided. */
  successRate: number | null
  tenants: MoneyRow[]
  topEvents: MoneyRow[]
}

export async function loadPlatformDashboard(db: Queryable, scope: FigureScope): Promise<PlatformDashboard> {
  await assertScope(db, scope)
  const revenue = await revenueFigures(db, scope)
  const decided = revenue.completed + revenue.failed
  return {
    revenue, successRate: decided > 0 ? revenue.completed / decided : null,
    tenants: await moneyByTenant(db, scope), topEvents: await moneyByEvent(db, scope, TOP_EVENTS),
  }
}
