/** Set up for every test file (vitest `setupFiles`): its own Postgres database is dropped after its last test. */
import { afterAll } from 'vitest'
import { dropFileDatabase } from './database.ts'

afterAll(dropFileDatabase)
