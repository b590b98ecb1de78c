/** The waiting room with its queue in Postgres (the default store). */
import type { KyselyPlugin, RootOperationNode } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { openTestDatabase } from '../support/database.ts'
import { createEvent, createTenant } from '../support/fixtures.ts'
import { MAX_VISITS, postgresQueueStore, VISITS_IN_FLIGHT } from '../../src/waitroom/postgres-queue-store.ts'
import { findQueueEventById } from '../../src/waitroom/queue-queries.ts'
import { queueContract, queueStoreContract } from './queue-contract.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

queueContract('Postgres', async () => ({ db, store: async () => undefined }))
queueStoreContract('Postgres', async () => ({ db, store: postgresQueueStore(db) }))

describe('the Postgres queue store under a crowd', () => {
  /** The calls a store sends, by the function each calls. */
  function counted() {
    const calls: string[] = []
    const plugin: KyselyPlugin = {
      transformQuery({ node }: { node: RootOperationNode }) {
        calls.push(node.kind === 'RawNode' ? (/(waiting_room_\w+)\(/.exec(node.sqlFragments.join(''))?.[1] ?? 'raw') : node.kind)
        return node
      },
      transformResult: async ({ result }) => result,
    }
    const counting = db.withPlugin(plugin)
    return { store: postgresQueueStore(counting), counting, calls }
  }

  it('sends the looks that arrive while its calls are at the database together, places in arrival order', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    const { store, calls } = counted()
    const look = { preQueue: false, nowMs: Date.UTC(2027, 0, 1), perMinute: 60, flowing: true, admissionMs: 60_000 }
    const browsers = Array.from({ length: 2 * MAX_VISITS + 30 }, (_, i) => `crowd-${String(i).padStart(16, '0')}`)
    const spots = await Promise.all(browsers.map((browser) => store.visit(event.id, browser, look)))
    expect(spots.map((spot) => spot.position)).toEqual(browsers.map((_, i) => i + 1))
    // the first VISITS_IN_FLIGHT go at once, alone; the rest gather behind them, at most MAX_VISITS a call
    expect(calls.length).toBe(VISITS_IN_FLIGHT + Math.ceil((browsers.length - VISITS_IN_FLIGHT) / MAX_VISITS))
    expect(new Set(calls)).toEqual(new Set(['waiting_room_visits']))
    // a quiet queue's look goes alone, at once
    calls.length = 0
    expect((await store.visit(event.id, browsers[7]!, look)).position).toBe(8)
    expect(calls).toEqual(['waiting_room_visits'])
  })

  it('answers every look of a call that failed with its error, and the next looks go on', async () => {
    const { store } = counted()
    const look = { preQueue: false, nowMs: Date.UTC(2027, 0, 1), perMinute: 60, flowing: true, admissionMs: 60_000 }
    // no such event: the entries' foreign key refuses the whole call
    const missing = '00000000-0000-4000-8000-000000000000'
    const failed = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => store.visit(missing, `nobody-${String(i).padStart(16, '0')}`, look)))
    expect(failed.every((result) => result.status === 'rejected')).toBe(true)
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    expect((await store.visit(event.id, 'after-failure-aaaaaaaaa', look)).position).toBe(1)
  })

  it('reads the event once for the holds that ask while a read is in flight, and again for the next', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    const { counting, calls } = counted()
    const now = new Date()
    const reads = await Promise.all(Array.from({ length: 12 }, () => findQueueEventById(counting, event.id, now)))
    expect(reads.every((read) => read?.id === event.id && read.slug === event.slug)).toBe(true)
    expect(calls).toEqual(['waiting_room_event'])
    // nothing is remembered once answered: a later hold reads the event as it is then
    await findQueueEventById(counting, event.id, now)
    expect(calls).toEqual(['waiting_room_event', 'waiting_room_event'])
  })
})
