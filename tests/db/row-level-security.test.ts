/**
 * Invariant 6: a tenant's staff never read or change another tenant's rows, even through raw SQL that
 * forgot its WHERE clause. Checked table by table, on PGlite and on real Postgres.
 */
import { sql, type Transaction } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { ANONYMOUS, SYSTEM, withContext, type RequestContext } from '../../src/db/request-context.ts'
import type { DB } from '../../src/db/schema.ts'
import { openTestDatabase } from '../support/database.ts'
import { createTenantWithRows, TENANT_OWNED_TABLES, type TenantOwnedTable } from '../support/tenant-rows.ts'

type Seeded = Awaited<ReturnType<typeof createTenantWithRows>>

let db: Database
let a: Seeded
let b: Seeded
let contextA: RequestContext

async function count(trx: Transaction<DB>, table: string, tenantId?: string): Promise<number> {
  const where = tenantId ? sql`where tenant_id = ${tenantId}` : sql``
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} ${where}`.execute(trx)
  return Number(rows[0]!.n)
}

async function columnsOf(table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = ${table} and column_name <> 'id' and is_generated = 'NEVER'`.execute(db)
  return rows.map((row) => row.column_name)
}

beforeAll(async () => {
  db = await openTestDatabase()
  a = await createTenantWithRows(db)
  b = await createTenantWithRows(db)
  contextA = { role: 'manager', tenantId: a.tenant.id, userId: a.manager.id }
})
afterAll(() => db.destroy())

describe('the app role', () => {
  it('runs every context transaction as ticketing_app', async () => {
    const user = await withContext(db, contextA, async (trx) =>
      (await sql<{ u: string }>`select current_user as u`.execute(trx)).rows[0]!.u)
    expect(user).toBe('ticketing_app')
  })

  it('is neither superuser nor BYPASSRLS, and owns no table', async () => {
    const { rows } = await sql<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>`
      select r.rolsuper, r.rolbypassrls,
             (select count(*)::int from pg_tables t where t.tableowner = r.rolname) as owned
      from pg_roles r where r.rolname = 'ticketing_app'`.execute(db)
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 })
  })

  it('has RLS enabled and forced on every table that carries a tenant_id', async () => {
    const { rows } = await sql<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and exists (select 1 from information_schema.columns col
                    where col.table_schema = 'public' and col.table_name = c.relname and col.column_name = 'tenant_id')
      order by c.relname`.execute(db)
    expect(rows.map((row) => row.relname).sort()).toEqual([...TENANT_OWNED_TABLES].sort())
    for (const row of rows) expect(row, row.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true })
  })

  it('keeps the context inside its transaction', async () => {
    await withContext(db, contextA, async () => {})
    const leftover = await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ tenant: string | null; role: string }>`
        select current_setting('app.tenant_id', true) as tenant, current_user as role`.execute(trx)
      return rows[0]!
    })
    expect(leftover.tenant ?? '').toBe('')
  })

  it('refuses a context whose ids are not uuids, before touching the database', () => {
    expect(() => withContext(db, { role: 'manager', tenantId: "x' or true --" }, async () => 1)).toThrow(/not a uuid/)
  })
})

/**
 * Tables with public rows (published events and their ticket types, posters). For them, a tenant's
 * private rows are the draft event's and the non-public files; every other table is private throughout.
 */
const PRIVATE_ROWS: Partial<Record<TenantOwnedTable, (seeded: Seeded) => ReturnType<typeof sql>>> = {
  events: (seeded) => sql`id = ${seeded.draftEvent.id}`,
  ticket_types: (seeded) => sql`event_id = ${seeded.draftEvent.id}`,
  blobs: () => sql`not is_public`,
}

function privateRowsOf(table: TenantOwnedTable, seeded: Seeded) {
  return PRIVATE_ROWS[table]?.(seeded) ?? sql`true`
}

describe.each(TENANT_OWNED_TABLES)('tenant-owned table %s', (table: TenantOwnedTable) => {
  it("is invisible to another tenant's staff", async () => {
    const countPrivateOfB = async (trx: Transaction<DB>) => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}
        where tenant_id = ${b.tenant.id} and ${privateRowsOf(table, b)}`.execute(trx)
      return Number(rows[0]!.n)
    }
    expect(await withContext(db, SYSTEM, countPrivateOfB)).toBeGreaterThan(0)
    expect(await withContext(db, contextA, countPrivateOfB)).toBe(0)
  })

  it('shows only the own tenant rows (and public ones) to a query with no WHERE clause', async () => {
    const own = await withContext(db, SYSTEM, (trx) => count(trx, table, a.tenant.id))
    const rows = await withContext(db, contextA, async (trx) =>
      (await sql<{ tenant_id: string; private_of_b: boolean }>`
        select tenant_id, (tenant_id = ${b.tenant.id} and ${privateRowsOf(table, b)}) as private_of_b
        from ${sql.table(table)}`.execute(trx)).rows)
    expect(own).toBeGreaterThan(0)
    expect(rows.filter((row) => row.tenant_id === a.tenant.id)).toHaveLength(own)
    expect(rows.filter((row) => row.private_of_b)).toEqual([])
    if (!PRIVATE_ROWS[table]) expect(rows).toHaveLength(own)
  })

  it("cannot update or delete another tenant's rows", async () => {
    const before = await withContext(db, SYSTEM, (trx) => count(trx, table, b.tenant.id))
    const attempt = withContext(db, contextA, async (trx) => {
      const updated = await sql`update ${sql.table(table)} set tenant_id = tenant_id where tenant_id = ${b.tenant.id}`
        .execute(trx)
      const deleted = await sql`delete from ${sql.table(table)} where tenant_id = ${b.tenant.id}`.execute(trx)
      return [Number(updated.numAffectedRows ?? 0), Number(deleted.numAffectedRows ?? 0)]
    })
    if (table === 'audit_log') await expect(attempt).rejects.toThrow(/permission denied/)
    else expect(await attempt).toEqual([0, 0])
    expect(await withContext(db, SYSTEM, (trx) => count(trx, table, b.tenant.id))).toBe(before)
  })

  it("cannot insert rows into another tenant", async () => {
    const columns = await columnsOf(table)
    const attempt = withContext(db, contextA, (trx) =>
      sql`insert into ${sql.table(table)} (${sql.join(columns.map((column) => sql.ref(column)))})
          select ${sql.join(columns.map((column) => (column === 'tenant_id' ? sql`${b.tenant.id}::uuid` : sql.ref(column))))}
          from ${sql.table(table)} where tenant_id = ${a.tenant.id} limit 1`.execute(trx))
    await expect(attempt).rejects.toThrow(/row-level security/)
  })

  it('cannot move its own rows into another tenant', async () => {
    const attempt = withContext(db, contextA, (trx) =>
      sql`update ${sql.table(table)} set tenant_id = ${b.tenant.id} where tenant_id = ${a.tenant.id}`.execute(trx))
    await expect(attempt).rejects.toThrow(table === 'audit_log' ? /permission denied/ : /row-level security/)
  })
})

describe('without a tenant context', () => {
  const ours = () => [a.tenant.id, b.tenant.id]

  async function visibleWithout(context: 'anonymous' | 'no settings at all', table: TenantOwnedTable) {
    const run = async (trx: Transaction<DB>) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from ${sql.table(table)} where tenant_id in (${sql.join(ours())})`.execute(trx)
      return Number(rows[0]!.n)
    }
    if (context === 'anonymous') return withContext(db, ANONYMOUS, run)
    return db.transaction().execute(async (trx) => {
      await sql`select set_config('role', 'ticketing_app', true)`.execute(trx)
      return run(trx)
    })
  }

  const publicTables: TenantOwnedTable[] = ['events', 'ticket_types', 'blobs']

  it.each(TENANT_OWNED_TABLES.filter((table) => !publicTables.includes(table)))(
    'shows nothing of %s',
    async (table) => {
      expect(await visibleWithout('anonymous', table)).toBe(0)
      expect(await visibleWithout('no settings at all', table)).toBe(0)
    },
  )

  it('keeps published events and their ticket types publicly readable, drafts hidden', async () => {
    const visible = await withContext(db, ANONYMOUS, (trx) =>
      trx.selectFrom('events').select(['id', 'status']).where('tenant_id', 'in', ours()).execute())
    expect(visible.map((event) => event.id).sort()).toEqual([a.publishedEvent.id, b.publishedEvent.id].sort())
    const types = await withContext(db, ANONYMOUS, (trx) =>
      trx.selectFrom('ticket_types').select('event_id').where('tenant_id', 'in', ours()).execute())
    expect(new Set(types.map((type) => type.event_id))).toEqual(new Set([a.publishedEvent.id, b.publishedEvent.id]))
  })

  it('shows posters but never a tenant’s private files', async () => {
    const privateFiles = (context: RequestContext) => withContext(db, context, (trx) =>
      trx.selectFrom('blobs').select('id').where('tenant_id', 'in', ours()).where('is_public', '=', false).execute())
    expect((await privateFiles(SYSTEM)).length).toBeGreaterThan(0)
    expect(await privateFiles(ANONYMOUS)).toEqual([])
  })

  it('lets nobody anonymous write tenant rows', async () => {
    const attempt = withContext(db, ANONYMOUS, (trx) =>
      trx.updateTable('events').set({ title: 'Hijacked' }).where('id', '=', a.publishedEvent.id).execute())
    const [result] = await attempt
    expect(Number(result!.numUpdatedRows)).toBe(0)
  })
})

describe('people reach their own rows across tenants', () => {
  it('a buyer sees their own tickets and no one else’s', async () => {
    const tickets = await withContext(db, { role: 'buyer', userId: a.buyer.id }, (trx) =>
      trx.selectFrom('tickets').select(['user_id', 'tenant_id']).execute())
    expect(tickets.length).toBe(1)
    expect(tickets[0]).toEqual({ user_id: a.buyer.id, tenant_id: a.tenant.id })
  })

  it('a person sees their own user row only', async () => {
    const users = await withContext(db, { role: 'buyer', userId: a.buyer.id }, (trx) =>
      trx.selectFrom('users').select('id').execute())
    expect(users.map((user) => user.id)).toEqual([a.buyer.id])
  })

  it("a tenant's staff see their tenant's people but not another tenant's", async () => {
    const ids = await withContext(db, contextA, async (trx) =>
      (await trx.selectFrom('users').select('id').execute()).map((user) => user.id))
    expect(ids).toEqual(expect.arrayContaining([a.manager.id, a.buyer.id, a.scanner.id]))
    expect(ids).not.toContain(b.manager.id)
    expect(ids).not.toContain(b.buyer.id)
  })
})
