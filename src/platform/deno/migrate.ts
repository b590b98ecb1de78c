/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { readConfig } from '../../config.ts'
import { migrate } from '../../db/migrate.ts'
import { openDatabase, readMigrations } from './database.ts'

const { db, description } = await openDatabase(readConfig(Deno.env.toObject(), { serving: false }))
try {
  const applied = await migrate(db, await readMigrations())
  console.log(`${description}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`)
} finally {
  await db.destroy()
}
