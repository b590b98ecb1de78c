/**
 * Reminders for one event with HOLDERS holders (default 10,000), on Postgres: writing them (the
 * `event-reminders` job, in pages) and delivering them through the real Resend client to a local
 * capture server, at RESEND_MAX_PER_SECOND requests a second (default 2, Resend's default team limit;
 * reminder emails go 100 to a batch request). Prints rows written per second, messages delivered per
 * second, the batch requests, and the peak resident memory of this process. Not a test: it fails only
 * if a holder's reminder is missing or duplicated.
 *
 *   npm run bench:reminders            (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *                                       a scratch database is created and dropped)
 */
import { Kysely, sql } from 'kysely'
import postgres from 'postgres'
import { createPostgresDb } from '../src/db/postgres.ts'
import { migrate } from '../src/db/migrate.ts'
import type { DB } from '../src/db/schema.ts'
import { dispatchDue } from '../src/notifications/dispatcher.ts'
import { createPacer } from '../src/notifications/pace.ts'
import { writeEventReminders } from '../src/notifications/reminders.ts'
import { resendSender } from '../src/notifications/resend-sender.ts'
import { outboxWhatsAppSender } from '../src/notifications/senders.ts'
import { readMigrations } from '../src/platform/deno/database.ts'
import { postgresBlobStore } from '../src/storage/blob-store.ts'

const env = Deno.env.toObject()
const serverUrl = env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const holders = Number(env.HOLDERS ?? 10_000)
const perSecond = Number(env.RESEND_MAX_PER_SECOND ?? 2)
const name = `reminders_bench_${Date.now()}`

let peakRss = 0
const sampler = setInterval(() => { peakRss = Math.max(peakRss, Deno.memoryUsage().rss) }, 20)

// the capture server: Resend's batch and single endpoints, counting what it accepts
let accepted = 0
let batchRequests = 0
const capture = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen: () => {} }, async (request) => {
  const body = await request.json()
  const path = new URL(request.url).pathname
  if (path === '/emails/batch') {
    batchRequests++
    accepted += body.length
    return Response.json({ data: body.map((_: unknown, i: number) => ({ id: `em_${batchRequests}_${i}` })) })
  }
  accepted++
  return Response.json({ id: `em_single_${accepted}` })
})
const baseUrl = `http://127.0.0.1:${capture.addr.port}`

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
await admin.unsafe(`create database ${name}`)
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`
const db: Kysely<DB> = createPostgresDb(dbUrl.toString(), { max: 4 })
try {
  await migrate(db, await readMigrations())
  const startsAt = new Date(Date.now() + 20 * 3600_000)
  const eventId = await sql<{ id: string }>`
    with t as (insert into tenants (name, slug, status) values ('Bench', ${name.replace(/_/g, '-')}, 'active') returning id),
         m as (insert into users (email, name) values ('manager@bench.test', 'Manager') returning id),
         e as (insert into events (tenant_id, manager_id, slug, title, starts_at, venue_name, venue_city, total_capacity, status)
               select t.id, m.id, 'bench-event', 'Bench Night', ${startsAt}, 'KICC', 'Nairobi', ${holders}, 'published' from t, m returning id, tenant_id),
         tt as (insert into ticket_types (tenant_id, event_id, name, price_minor, capacity)
                select tenant_id, id, 'Regular', 100000, ${holders} from e returning id, event_id, tenant_id)
    select event_id as id from tt`.execute(db).then((r) => r.rows[0]!.id)
  await sql`
    with u as (insert into users (email, name, email_verified_at)
               select 'holder' || g || '@bench.test', 'Holder ' || g, now() from generate_series(1, ${holders}) g returning id)
    insert into tickets (tenant_id, event_id, ticket_type_id, user_id, price_minor, status, claimable_after)
    select tt.tenant_id, tt.event_id, tt.id, u.id, 100000, 'active', 'infinity' from u, ticket_types tt where tt.event_id = ${eventId}`.execute(db)

  const writeStart = performance.now()
  const written = await writeEventReminders(db, undefined, { eventId, kind: 'day_of', startsAt: startsAt.toISOString() }, new Date())
  const writeMs = performance.now() - writeStart

  const senders = {
    enabled: true,
    email: resendSender({ apiKey: 're_bench', from: 'bench@tikiti.test', baseUrl, maxPerSecond: perSecond }),
    whatsapp: outboxWhatsAppSender,
    pace: { email: createPacer({ intervalMs: 1000 / perSecond }), whatsapp: createPacer({ intervalMs: 0 }) },
  }
  const sendStart = performance.now()
  while (await dispatchDue({ db, senders, blobStore: postgresBlobStore }, 500) > 0) { /* until nothing is due */ }
  const sendMs = performance.now() - sendStart

  const counts = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from notifications where type = 'event_reminder' group by status`.execute(db)
  const sent = counts.rows.find((row) => row.status === 'sent')?.n ?? 0
  console.log(`holders: ${holders}; reminders written: ${written} in ${writeMs.toFixed(0)} ms (${Math.round(written / (writeMs / 1000))} rows/s)`)
  console.log(`delivered: ${sent} in ${(sendMs / 1000).toFixed(1)} s = ${Math.round(sent / (sendMs / 1000))} messages/s ` +
    `(${batchRequests} batch requests at ${perSecond} requests/s; capture server accepted ${accepted})`)
  console.log(`peak RSS of the bench process: ${(peakRss / 1024 / 1024).toFixed(0)} MB`)
  if (sent !== holders || accepted !== holders) {
    console.error(`FAILED: expected ${holders} reminders, ${sent} sent, ${accepted} accepted (${JSON.stringify(counts.rows)})`)
    Deno.exitCode = 1
  }
} finally {
  clearInterval(sampler)
  await db.destroy()
  await admin.unsafe(`drop database if exists ${name}`)
  await admin.end()
  await capture.shutdown()
}
