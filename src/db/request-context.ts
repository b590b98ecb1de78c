/**
 * Transaction-scoped request context, as PostgREST does it: every unit of work runs in a transaction
 * that first switches to the ticketing_app role and sets app.tenant_id, app.user_id and app.role with
 * set_config(…, true). Nothing is set at session level, so pooled connections never leak a context.
 * Row-level security policies read these settings and fail closed when they are missing.
 */
import { sql, type Transaction } from 'kysely'
import type { Database } from './database.ts'
import type { DB } from './schema.ts'

/**
 * Who is acting. `system` is background work (jobs, payment callbacks) and `super_admin` platform staff:
 * both see across tenants. Everyone else sees a tenant's rows only inside that tenant's context.
 */
export type ContextRole = 'anonymous' | 'buyer' | 'manager' | 'scanner' | 'super_admin' | 'system'

export interface RequestContext {
  role: ContextRole
  tenantId?: string | null
  userId?: string | null
}

export const ANONYMOUS: RequestContext = Object.freeze({ role: 'anonymous' })
export const SYSTEM: RequestContext = Object.freeze({ role: 'system' })

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function checkedId(name: string, value: string | null | undefined): string {
  if (value == null || value === '') return ''
  if (!UUID.test(value)) throw new Error(`request context ${name} is not a uuid`)
  return value
}

/** Runs `work` in a transaction with the given context. The one way app code reaches tenant data. */
export function withContext<T>(
  db: Database,
  context: RequestContext,
  work: (trx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const tenantId = checkedId('tenantId', context.tenantId)
  const userId = checkedId('userId', context.userId)
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('role', 'ticketing_app', true),
                     set_config('app.tenant_id', ${tenantId}, true),
                     set_config('app.user_id', ${userId}, true),
                     set_config('app.role', ${context.role}, true)`.execute(trx)
    return work(trx)
  })
}
