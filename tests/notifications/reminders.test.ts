/** Event reminders: when they are due, who gets them (once), what a move or a cancellation does, and the batch path. */
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { postgresScheduler } from '../../src/jobs/scheduler.ts'
import { dispatchDue } from '../../src/notifications/dispatcher.ts'
import { createPacer } from '../../src/notifications/pace.ts'
import { reminderTimes, scheduleEventReminders, writeEventReminders } from '../../src/notifications/reminders.ts'
import { resendSender } from '../../src/notifications/resend-sender.ts'
import { outboxWhatsAppSender, type MessageSenders } from '../../src/notifications/senders.ts'
import { postgresBlobStore } from '../../src/storage/blob-store.ts'
import { TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant, DAY, unique } from '../support/fixtures.ts'
import { startResendStandin } from '../support/message-standins.ts'

let db: Database
let resend: Awaited<ReturnType<typeof startResendStandin>>
beforeAll(async () => {
  db = await openTestDatabase()
  resend = await startResendStandin()
})
afterAll(async () => {
  await resend.close()
  await db.destroy()
})
beforeEach(() => asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'failed' }).where('status', 'in', ['pending', 'sending']).execute()))

const senders = (): MessageSenders => ({
  enabled: true,
  email: resendSender({ apiKey: 're_test_key', from: 'tickets@tikiti.test', baseUrl: resend.baseUrl, maxPerSecond: 1000 }),
  whatsapp: outboxWhatsAppSender,
  pace: { email: createPacer({ intervalMs: 0 }), whatsapp: createPacer({ intervalMs: 0 }) },
})

type HolderSpec = { guest?: boolean; email?: string | null; verified?: boolean; checkout?: { channel: 'email' | 'whatsapp' | 'both'; email?: string; phone: string } }

/** An event whose active tickets belong to the given holders. */
async function eventWithHolders(startsAt: Date, holders: HolderSpec[]) {
  const tenant = await createTenant(db)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { startsAt, ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: holders.length + 1 }] })
  const users = await asSystem(db, async (trx) => {
    const ids: string[] = []
    for (const holder of holders) {
      const user = await trx.insertInto('users').values({
        is_guest: holder.guest ?? false, email: holder.email ?? null, name: holder.guest ? null : 'Wanjiru',
        email_verified_at: holder.verified ? new Date() : null, phone: holder.checkout?.phone ?? null,
      }).returning('id').executeTakeFirstOrThrow()
      const payment = holder.checkout ? await trx.insertInto('transactions').values({
        tenant_id: tenant.id, event_id: event.id, user_id: user.id, amount_minor: 100_000, status: 'completed', mpesa_phone: holder.checkout.phone,
        buyer_email: holder.checkout.email ?? null, notify_channel: holder.checkout.channel, origin: 'https://tikiti.test',
      }).returning('id').executeTakeFirstOrThrow() : undefined
      await sql`update tickets set status = 'active', user_id = ${user.id}, transaction_id = ${payment?.id ?? null}, claimable_after = 'infinity'
        where id = (select id from tickets where ticket_type_id = ${ticketTypes[0]!.id} and status = 'available' limit 1)`.execute(trx)
      ids.push(user.id)
    }
    return ids
  })
  return { event, users }
}

const remindersOf = (eventId: string) => asSystem(db, (trx) => trx.selectFrom('notifications').selectAll()
  .where('event_id', '=', eventId).where('type', '=', 'event_reminder').orderBy('channel').execute())

describe('when reminders are due', () => {
  it('24 hours before, and at 08:00 Nairobi on the day, or 3 hours before a morning event', () => {
    const evening = new Date('2026-12-12T16:00:00Z') // 19:00 in Nairobi
    expect(reminderTimes(evening)).toEqual({ day_before: new Date('2026-12-11T16:00:00Z'), day_of: new Date('2026-12-12T05:00:00Z') })
    const morning = new Date('2026-12-12T06:30:00Z') // 09:30 in Nairobi
    expect(reminderTimes(morning).day_of).toEqual(new Date('2026-12-12T03:30:00Z'))
  })

  it('schedules one job per kind through the scheduler port, only for times still ahead, once per start', async () => {
    const clock = new TestClock(new Date('2026-12-01T09:00:00Z'))
    const id = crypto.randomUUID()
    const scheduler = postgresScheduler(db)
    await scheduleEventReminders(scheduler, { id, starts_at: new Date('2026-12-12T16:00:00Z') }, clock.now())
    await scheduleEventReminders(scheduler, { id, starts_at: new Date('2026-12-12T16:00:00Z') }, clock.now())
    // an event tomorrow morning: the day-before time has passed
    const soon = crypto.randomUUID()
    await scheduleEventReminders(scheduler, { id: soon, starts_at: new Date('2026-12-02T06:00:00Z') }, clock.now())
    const jobs = await asSystem(db, (trx) => trx.selectFrom('jobs').select(['kind', 'run_at', 'payload']).where('kind', '=', 'event-reminders')
      .where((w) => w.or([w('payload', '@>', { eventId: id } as never), w('payload', '@>', { eventId: soon } as never)])).orderBy('run_at').execute())
    expect(jobs.map((job) => [(job.payload as { eventId: string }).eventId === id ? 'later' : 'soon', (job.payload as { kind: string }).kind, job.run_at.toISOString()]))
      .toEqual([['soon', 'day_of', '2026-12-02T03:00:00.000Z'], ['later', 'day_before', '2026-12-11T16:00:00.000Z'], ['later', 'day_of', '2026-12-12T05:00:00.000Z']])
  })
})

describe('who gets a reminder', () => {
  it('every holder of an active ticket, once, where they asked at checkout; nobody gets WhatsApp without opting in', async () => {
    const startsAt = new Date(Date.now() + 20 * 3600_000)
    const email = `${unique('holder')}@example.test`
    const { event, users } = await eventWithHolders(startsAt, [
      { guest: true, checkout: { channel: 'whatsapp', phone: '254711000001' } },
      { email, verified: true, checkout: { channel: 'both', email, phone: '254711000002' } },
      { email: `${unique('unconfirmed')}@example.test`, verified: false }, // got it by transfer, email never confirmed
      { email: `${unique('confirmed')}@example.test`, verified: true }, // got it by transfer, confirmed email
    ])
    const job = { eventId: event.id, kind: 'day_of' as const, startsAt: startsAt.toISOString() }
    await writeEventReminders(db, undefined, job, new Date())
    await writeEventReminders(db, undefined, job, new Date()) // a second delivery of the job
    const rows = await remindersOf(event.id)
    expect(rows.map((row) => [users.indexOf(row.user_id!), row.channel]).sort()).toEqual([[0, 'whatsapp'], [1, 'email'], [1, 'whatsapp'], [3, 'email']])
    const guest = rows.find((row) => row.user_id === users[0])!
    expect((guest.content as { secrets: { ticketsLink: string } }).secrets.ticketsLink).toMatch(/^https:\/\/tikiti\.test\/tickets\/open\/[A-Za-z0-9_-]{20,}$/)
  })

  it('a moved event: the old job writes nothing and waiting reminders are dropped; a cancelled one gets none', async () => {
    const startsAt = new Date(Date.now() + 20 * 3600_000)
    const { event } = await eventWithHolders(startsAt, [{ email: `${unique('m')}@example.test`, verified: true }])
    await writeEventReminders(db, undefined, { eventId: event.id, kind: 'day_of', startsAt: startsAt.toISOString() }, new Date())
    const moved = new Date(startsAt.getTime() + 2 * DAY)
    await asSystem(db, (trx) => trx.updateTable('events').set({ starts_at: moved }).where('id', '=', event.id).execute())
    expect(await writeEventReminders(db, undefined, { eventId: event.id, kind: 'day_before', startsAt: startsAt.toISOString() }, new Date())).toBe(0)
    await dispatchDue({ db, senders: senders(), blobStore: postgresBlobStore })
    expect((await remindersOf(event.id)).map((row) => [row.status, row.last_error])).toEqual([['failed', 'not sent: the event moved or was cancelled']])
    await asSystem(db, (trx) => trx.updateTable('events').set({ status: 'cancelled' }).where('id', '=', event.id).execute())
    expect(await writeEventReminders(db, undefined, { eventId: event.id, kind: 'day_of', startsAt: moved.toISOString() }, new Date())).toBe(0)
  })

  it('sends email reminders in batches of up to 100 without attachments', async () => {
    const startsAt = new Date(Date.now() + 20 * 3600_000)
    const holders = Array.from({ length: 150 }, () => ({ email: `${unique('many')}@example.test`, verified: true }))
    const { event } = await eventWithHolders(startsAt, holders)
    await writeEventReminders(db, undefined, { eventId: event.id, kind: 'day_of', startsAt: startsAt.toISOString() }, new Date())
    const batchesBefore = resend.requests.filter((r) => r.path === '/emails/batch').length
    while (await dispatchDue({ db, senders: senders(), blobStore: postgresBlobStore }, 200) > 0) { /* until none is due */ }
    const batches = resend.requests.slice().filter((r) => r.path === '/emails/batch').slice(batchesBefore)
    expect(batches.map((r) => (r.body as unknown[]).length)).toEqual([100, 50])
    const rows = await remindersOf(event.id)
    expect(rows).toHaveLength(150)
    expect(rows.every((row) => row.status === 'sent' && row.email_id)).toBe(true)
  })
})
