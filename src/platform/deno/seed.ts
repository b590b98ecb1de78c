/** `npm run seed`: loads the demo data into a migrated, empty database. */
import { readConfig } from '../../config.ts'
import { seedDemoDataIfEmpty } from '../../demo/seed.ts'
import { openDatabase } from './database.ts'

const { db, description } = await openDatabase(readConfig(Deno.env.toObject()))
try {
  const loaded = await seedDemoDataIfEmpty(db)
  console.log(`${description}: ${loaded ? 'demo data loaded' : 'already has users, nothing loaded'}`)
} finally {
  await db.destroy()
}
