/**
 * Demo data for a fresh database: a super admin, two organisers (tenants) with upcoming published
 * events and ticket types, a scanner and a buyer. Loaded only when there are no users yet, so a
 * restart never duplicates it. The logins are listed in the README.
 */
import type { KeyRing } from '../lib/secret-box.ts'
import { saveCredentials, type CredentialsInput } from '../payments/mpesa-credentials.ts'
import { SANDBOX_B2C_SHORTCODE } from '../payments/simulator/outcomes.ts'
import { hashPassword } from '../accounts/password.ts'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { NewTicketType } from '../db/schema.ts'
import { addSellableTickets } from '../tickets/inventory.ts'

export const DEMO_PASSWORD = 'tikiti-demo-2026'

export const DEMO_LOGINS = {
  superAdmin: 'admin@tikiti.test',
  managerNairobi: 'wanjiku@nairobi-live.test',
  managerPwani: 'baraka@pwani-events.test',
  scanner: 'scanner@nairobi-live.test',
  buyer: 'amina@buyer.test',
} as const

const DAY_MS = 24 * 3600 * 1000

/** `days` from `now`, at `hour`:00 in Nairobi (UTC+3, no daylight saving). */
function nairobiTime(now: Date, days: number, hour: number): Date {
  const day = new Date(now.getTime() + days * DAY_MS)
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour - 3))
}

async function createUser(
  db: Queryable,
  user: { email: string; name: string; role: 'super_admin' | 'event_manager' | 'scanner' | 'user'; phone?: string },
): Promise<string> {
  const row = await db.insertInto('users').values({
    email: user.email,
    name: user.name,
    role: user.role,
    phone: user.phone ?? null,
    password_hash: await hashPassword(DEMO_PASSWORD),
    email_verified_at: new Date(),
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

interface DemoEvent {
  slug: string
  title: string
  description: string
  days: number
  hour: number
  venue: { name: string; address: string; city: string; lat: number; lng: number }
  status?: 'draft' | 'published'
  terms: string
  types: Array<Pick<NewTicketType, 'name' | 'description' | 'price_minor' | 'capacity'> & { salesEndDays?: number }>
}

async function createEvent(db: Queryable, now: Date, tenantId: string, managerId: string, demo: DemoEvent) {
  const totalCapacity = demo.types.reduce((sum, type) => sum + type.capacity, 0)
  const event = await db.insertInto('events').values({
    tenant_id: tenantId,
    manager_id: managerId,
    slug: demo.slug,
    title: demo.title,
    description: demo.description,
    starts_at: nairobiTime(now, demo.days, demo.hour),
    ends_at: nairobiTime(now, demo.days, demo.hour + 5),
    venue_name: demo.venue.name,
    venue_address: demo.venue.address,
    venue_city: demo.venue.city,
    venue_latitude: demo.venue.lat,
    venue_longitude: demo.venue.lng,
    status: demo.status ?? 'published',
    total_capacity: totalCapacity,
    allow_transfers: true,
    allow_resale: true,
    max_transfers: 2,
    resale_price_cap_pct: 110,
    terms_and_conditions: demo.terms,
  }).returning('id').executeTakeFirstOrThrow()
  const types = await db.insertInto('ticket_types').values(demo.types.map((type, index) => ({
    tenant_id: tenantId,
    event_id: event.id,
    name: type.name,
    description: type.description,
    price_minor: type.price_minor,
    capacity: type.capacity,
    sort_order: index,
    max_per_order: 6,
    sales_end: type.salesEndDays === undefined ? null : nairobiTime(now, type.salesEndDays, 23),
  }))).returningAll().execute()
  for (const type of types) await addSellableTickets(db, type, type.capacity)
  return event.id
}

const TERMS = 'Tickets are non-refundable unless the event is cancelled. Entry with a valid QR ticket only.'

/** Loads the demo data unless the database already has users. Returns whether it loaded anything. */
/**
 * With a key ring, both organisers also get the Daraja sandbox's credentials (shortcode 174379), so a
 * demo purchase goes through the local Daraja simulator end to end, refunds included.
 */
/** Daraja's public sandbox test data; the simulator accepts any consumer key and secret. */
const SANDBOX_CREDENTIALS: CredentialsInput = {
  environment: 'sandbox', accountType: 'paybill', shortcode: '174379', b2cShortcode: SANDBOX_B2C_SHORTCODE,
  consumerKey: 'demo-consumer-key', consumerSecret: 'demo-consumer-secret',
  passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
  initiatorName: 'testapi', securityCredential: 'demo-security-credential',
}

/**
 * Loads the demo data into an empty database (no users yet); true when it did. `onLoading` is told just
 * before it starts, so `npm start` can say why the first start takes a while.
 */
export async function seedDemoDataIfEmpty(
  db: Database, now: Date = new Date(), secretKeys?: KeyRing, onLoading: () => void = () => {},
): Promise<boolean> {
  return withContext(db, SYSTEM, async (trx) => {
    const existing = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()
    if (existing) return false
    onLoading()

    await createUser(trx, { email: DEMO_LOGINS.superAdmin, name: 'Platform Admin', role: 'super_admin' })
    const wanjiku = await createUser(trx, {
      email: DEMO_LOGINS.managerNairobi, name: 'Wanjiku Kamau', role: 'event_manager', phone: '254722000111',
    })
    const baraka = await createUser(trx, {
      email: DEMO_LOGINS.managerPwani, name: 'Baraka Mwangi', role: 'event_manager', phone: '254733000222',
    })
    const scanner = await createUser(trx, { email: DEMO_LOGINS.scanner, name: 'Juma Otieno', role: 'scanner' })
    await createUser(trx, { email: DEMO_LOGINS.buyer, name: 'Amina Hassan', role: 'user', phone: '254712345678' })

    const [nairobiLive, pwani] = await trx.insertInto('tenants').values([
      { name: 'Nairobi Live', slug: 'nairobi-live', status: 'active', commission_rate_bps: 500,
        contact_email: DEMO_LOGINS.managerNairobi },
      { name: 'Pwani Events', slug: 'pwani-events', status: 'active', commission_rate_bps: 750,
        contact_email: DEMO_LOGINS.managerPwani },
    ]).returning('id').execute()
    await trx.insertInto('memberships').values([
      { tenant_id: nairobiLive!.id, user_id: wanjiku, role: 'manager' },
      { tenant_id: nairobiLive!.id, user_id: scanner, role: 'scanner' },
      { tenant_id: pwani!.id, user_id: baraka, role: 'manager' },
    ]).execute()

    const jazz = await createEvent(trx, now, nairobiLive!.id, wanjiku, {
      slug: 'nairobi-jazz-night', title: 'Nairobi Jazz Night',
      description: 'An evening of Kenyan and East African jazz with five live bands.',
      days: 14, hour: 19, terms: TERMS,
      venue: { name: 'Alliance Française', address: 'Loita Street', city: 'Nairobi', lat: -1.2841, lng: 36.8155 },
      types: [
        { name: 'Early Bird', description: 'Limited, while they last.', price_minor: 100_000, capacity: 50, salesEndDays: 7 },
        { name: 'Regular', description: 'General admission.', price_minor: 150_000, capacity: 350 },
        { name: 'VIP', description: 'Front seating and a welcome drink.', price_minor: 500_000, capacity: 100 },
      ],
    })
    await createEvent(trx, now, nairobiLive!.id, wanjiku, {
      slug: 'nairobi-tech-summit', title: 'Nairobi Tech Summit',
      description: 'Two stages of talks on fintech, mobile money and the African startup scene.',
      days: 30, hour: 9, terms: TERMS,
      venue: { name: 'KICC', address: 'Harambee Avenue', city: 'Nairobi', lat: -1.2888, lng: 36.8233 },
      types: [
        { name: 'Regular', description: 'Full-day pass.', price_minor: 250_000, capacity: 1500 },
        { name: 'Student', description: 'Bring your student ID.', price_minor: 50_000, capacity: 500 },
      ],
    })
    await createEvent(trx, now, nairobiLive!.id, wanjiku, {
      slug: 'benga-revival-draft', title: 'Benga Revival (draft)', description: 'Not announced yet.',
      days: 60, hour: 20, status: 'draft', terms: TERMS,
      venue: { name: 'Carnivore Grounds', address: 'Langata Road', city: 'Nairobi', lat: -1.3275, lng: 36.8025 },
      types: [{ name: 'Regular', description: '', price_minor: 100_000, capacity: 800 }],
    })
    await createEvent(trx, now, pwani!.id, baraka, {
      slug: 'mombasa-beach-festival', title: 'Mombasa Beach Festival',
      description: 'Taarab, bongo flava and gengetone on the beach from sunset.',
      days: 21, hour: 16, terms: TERMS,
      venue: { name: 'Nyali Beach', address: 'Links Road', city: 'Mombasa', lat: -4.0435, lng: 39.7152 },
      types: [
        { name: 'Regular', description: 'General admission.', price_minor: 200_000, capacity: 9000 },
        { name: 'VIP', description: 'Lounge access.', price_minor: 750_000, capacity: 1000 },
      ],
    })
    await createEvent(trx, now, pwani!.id, baraka, {
      slug: 'lamu-cultural-night', title: 'Lamu Cultural Night',
      description: 'Swahili poetry, dhow songs and food from the old town.',
      days: 45, hour: 18, terms: TERMS,
      venue: { name: 'Lamu Fort', address: 'Harambee Avenue', city: 'Lamu', lat: -2.2696, lng: 40.9020 },
      types: [{ name: 'Regular', description: 'General admission.', price_minor: 80_000, capacity: 300 }],
    })
    await trx.insertInto('scanner_assignments').values({ tenant_id: nairobiLive!.id, event_id: jazz, user_id: scanner })
      .execute()
    if (secretKeys) {
      for (const tenant of [nairobiLive!, pwani!]) await saveCredentials(trx, secretKeys, tenant.id, SANDBOX_CREDENTIALS, now)
    }
    return true
  })
}
