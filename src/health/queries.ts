/** The health check's one query. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'

/** A database round trip that touches no table. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await sql`select 1`.execute(db)
}
