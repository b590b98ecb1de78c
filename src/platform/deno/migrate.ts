/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
import { readConfig, readServerConfig } from '../../config.ts'
import { migrate } from '../../db/migrate.ts'
import { openDatabase, readMigrations } from './database.ts'

const env = Deno.env.toObject()
const config = readConfig(env)
const { db, description } = await openDatabase(config, readServerConfig(env, config))
try {
  const applied = await migrate(db, await readMigrations())
  console.log(`${description}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}`)
} finally {
  await db.destroy()
}
