/** Rows for tests, written in the platform (system) context. Every name is unique per call. */
import type { Database, Queryable } from '../../src/db/database.ts'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import type { EventStatus, TenantStatus } from '../../src/db/schema.ts'

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
    return { event, ticketTypes, manager }
  })
}
