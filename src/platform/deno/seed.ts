/** `npm run seed`: loads the demo data into a migrated, empty database. */
import { readConfig, readServerConfig } from '../../config.ts'
import { seedDemoDataIfEmpty } from '../../demo/seed.ts'
import { openDatabase } from './database.ts'
import { loadSecretKeys } from './secret-keys.ts'

const env = Deno.env.toObject()
const config = readConfig(env)
const server = readServerConfig(env, config)
const { db, description } = await openDatabase(config, server)
try {
  const loaded = await seedDemoDataIfEmpty(db, new Date(), await loadSecretKeys(server, config.mode))
  console.log(`${description}: ${loaded ? 'demo data loaded' : 'already has users, nothing loaded'}`)
} finally {
  await db.destroy()
}
