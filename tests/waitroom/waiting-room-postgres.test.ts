/** The waiting room with its queue in Postgres (the default store). */
import { afterAll, beforeAll } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { openTestDatabase } from '../support/database.ts'
import { postgresQueueStore } from '../../src/waitroom/postgres-queue-store.ts'
import { queueContract, queueStoreContract } from './queue-contract.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

queueContract('Postgres', async () => ({ db, store: async () => undefined }))
queueStoreContract('Postgres', async () => ({ db, store: postgresQueueStore(db) }))
