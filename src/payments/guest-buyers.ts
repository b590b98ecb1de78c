/** Buyers without an account: known by the phone that paid, as a guest whose tickets wait for them to confirm it. */
import type { Queryable } from '../db/database.ts'

/** The guest of this phone, made on first use. */
export async function guestFor(trx: Queryable, phone: string): Promise<string> {
  const existing = await trx.selectFrom('users').select('id').where('phone', '=', phone).where('is_guest', '=', true)
    .orderBy('created_at').limit(1).executeTakeFirst()
  if (existing) return existing.id
  const created = await trx.insertInto('users').values({ is_guest: true, phone }).returning('id').executeTakeFirstOrThrow()
  return created.id
}
