/** Rows for tests, written in the platform (system) context. Every name is unique per call. */
import { sql } from 'kysely'
import type { Database, Queryable } from '../../src/db/database.ts'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import type { EventStatus, TenantStatus } from '../../src/db/schema.ts'
import { addSellableTickets } from '../../src/tickets/inventory.ts'

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`
}

export const DAY = 24 * 3600 * 1000

export function asSystem<T>(db: Database, work: (trx: Queryable) => Promise<T>): Promise<T> {
  return withContext(db, SYSTEM, work)
}

export async function createTenant(db: Database, options: { status?: TenantStatus; name?: string } = {}) {
  return asSystem(db, (trx) =>
    trx.insertInto('tenants').values({
      name: options.name ?? unique('Organiser'),
      slug: unique('org'),
      status: options.status ?? 'active',
    }).returningAll().executeTakeFirstOrThrow())
}

export async function createUser(db: Database, options: { role?: 'super_admin' | 'event_manager' | 'user' | 'scanner' } = {}) {
  return asSystem(db, (trx) =>
    trx.insertInto('users').values({
      email: `${unique('user')}@example.test`,
      name: 'Test Person',
      role: options.role ?? 'user',
    }).returningAll().executeTakeFirstOrThrow())
}

export interface EventOptions {
  status?: EventStatus
  startsAt?: Date
  title?: string
  ticketTypes?: Array<{ name: string; price_minor: number; capacity: number; sold?: number }>
}

/** An event (published, a week ahead, by default) with its ticket types, owned by a fresh manager. */
export async function createEvent(db: Database, tenantId: string, options: EventOptions = {}) {
  const manager = await createUser(db, { role: 'event_manager' })
  const types = options.ticketTypes ?? [{ name: 'Regular', price_minor: 150_000, capacity: 100 }]
  return asSystem(db, async (trx) => {
    const event = await trx.insertInto('events').values({
      tenant_id: tenantId,
      manager_id: manager.id,
      slug: unique('event'),
      title: options.title ?? unique('Event'),
      starts_at: options.startsAt ?? new Date(Date.now() + 7 * DAY),
      venue_name: 'Test Venue',
      venue_city: 'Nairobi',
      status: options.status ?? 'published',
      total_capacity: types.reduce((sum, type) => sum + type.capacity, 0),
    }).returningAll().executeTakeFirstOrThrow()
    const ticketTypes = await trx.insertInto('ticket_types').values(types.map((type) => ({
      tenant_id: tenantId,
      event_id: event.id,
      name: type.name,
      price_minor: type.price_minor,
      capacity: type.capacity,
      sold: type.sold ?? 0,
    }))).returningAll().execute()
    for (const type of ticketTypes) {
      await addSellableTickets(trx, type, type.capacity)
      if (type.sold > 0) await markTickets(trx, type.id, type.sold, { status: 'active', claimableAfter: 'infinity' })
    }
    return { event, ticketTypes, manager }
  })
}

/** Turns `count` available rows of a ticket type into sold or held ones, as sales and holds do. */
export async function markTickets(
  db: Queryable, typeId: string, count: number,
  mark: { status: 'active' | 'pending_payment'; claimableAfter: Date | 'infinity' },
) {
  const until = mark.claimableAfter === 'infinity' ? sql`'infinity'::timestamptz` : sql`${mark.claimableAfter}`
  await sql`update tickets set status = ${mark.status}, claimable_after = ${until},
      reserved_until = ${mark.status === 'pending_payment' ? mark.claimableAfter : null}
    where id in (select id from tickets where ticket_type_id = ${typeId} and status = 'available' limit ${count})`.execute(db)
}

/** Holds `count` tickets of a type until `until`, with no reservation behind them (availability tests). */
export function holdTickets(db: Database, typeId: string, count: number, until: Date) {
  return asSystem(db, (trx) => markTickets(trx, typeId, count, { status: 'pending_payment', claimableAfter: until }))
}

/** Marks `count` tickets of a type sold. */
export function sellTickets(db: Database, typeId: string, count: number) {
  return asSystem(db, async (trx) => {
    await markTickets(trx, typeId, count, { status: 'active', claimableAfter: 'infinity' })
    await trx.updateTable('ticket_types').set((eb) => ({ sold: eb('sold', '+', count) })).where('id', '=', typeId).execute()
  })
}

export const TEST_PASSWORD = 'correct-horse-battery'

/** A person with a password, optionally a member of a tenant, optionally a platform admin. */
export async function createAccount(db: Database, options: { role?: 'super_admin' | 'user'; tenantId?: string; membership?: 'manager' | 'scanner' } = {}) {
  const { hashPassword } = await import('../../src/accounts/password.ts')
  const passwordHash = await hashPassword(TEST_PASSWORD, { m: 1024, t: 1, p: 1 })
  return asSystem(db, async (trx) => {
    const user = await trx.insertInto('users').values({
      email: `${unique('person')}@example.test`, name: 'Test Person', role: options.role ?? 'user',
      password_hash: passwordHash, email_verified_at: new Date(),
    }).returningAll().executeTakeFirstOrThrow()
    if (options.tenantId && options.membership) {
      await trx.insertInto('memberships').values({ tenant_id: options.tenantId, user_id: user.id, role: options.membership }).execute()
    }
    return user
  })
}

/** The newest message the outbox holds for an address, its content rendered as the dispatcher sends it (`body`, `subject`). */
export async function lastMessageTo(db: Database, to: string, ring?: import('../../src/lib/secret-box.ts').KeyRing) {
  const { renderNotification } = await import('../../src/notifications/render.ts')
  return asSystem(db, async (trx) => {
    const rows = await trx.selectFrom('notifications').select(['id', 'tenant_id', 'lang', 'content', 'type', 'channel', 'status'])
      .orderBy('created_at', 'desc').execute()
    const row = rows.find((candidate) => (candidate.content as { to?: string }).to === to)
    if (!row) return undefined
    const rendered = await renderNotification(trx, row, ring)
    return { ...row, content: { ...(row.content as object), subject: rendered.subject, body: rendered.text } }
  })
}

export function linkIn(body: string, path: string): string {
  const match = new RegExp(`https?://[^\\s]+${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_-]+)`).exec(body)
  if (!match) throw new Error(`no ${path} link in: ${body}`)
  return match[1]!
}
