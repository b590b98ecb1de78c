/** A transfer to test: an event with a ticket sold to a signed-in buyer, a gate that scans, and the messages sent. */
import { sql } from 'kysely'
import type { Database } from '../../src/db/database.ts'
import type { KeyRing } from '../../src/lib/secret-box.ts'
import { renderNotification } from '../../src/notifications/render.ts'
import { createGate, scanBody, sellWithCodes, signIn } from '../scanning/gate-fixtures.ts'
import { TestClock } from '../support/client.ts'
import { asSystem, createAccount } from '../support/fixtures.ts'

export async function transferKit(db: Database) {
  const clock = new TestClock()
  const gate = await createGate(db, { now: clock.now })
  const seller = await createAccount(db)
  const sellerClient = await signIn(gate.app, seller.email!)
  const [ticket] = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 1, seller.id)
  const scan = async (code: string) => (await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans`, scanBody(code))).json() as Promise<{ result: string; reason?: string }>
  const ticketRow = () => asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', '=', ticket!.id).executeTakeFirstOrThrow())
  const transferRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  // a number of its own, so no other test's messages to it are mixed in
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  const recipient = { local: `07${digits}`, wa: `2547${digits}`, masked: `07${digits.slice(0, 2)} ••• ${digits.slice(-3)}` }
  return { clock, gate, seller, sellerClient, ticket: ticket!, scan, ticketRow, transferRow, recipient }
}

/** The newest message of a type to an address, rendered as the dispatcher would send it. */
export async function messageTo(db: Database, type: string, to: string, ring: KeyRing) {
  return asSystem(db, async (trx) => {
    const row = await trx.selectFrom('notifications').select(['id', 'tenant_id', 'lang', 'content', 'type', 'channel', 'status', 'created_at'])
      .where('type', '=', type as never).where(sql<boolean>`content ->> 'to' = ${to}`).orderBy('created_at', 'desc').orderBy('id', 'desc')
      .executeTakeFirst()
    if (!row) throw new Error(`no ${type} message to ${to}`)
    return { row, text: (await renderNotification(trx, row, ring)).text }
  })
}

export async function codeSentTo(db: Database, to: string, ring: KeyRing): Promise<string> {
  const { text } = await messageTo(db, 'transfer_otp', to, ring)
  const match = /\b(\d{6})\b/.exec(text)
  if (!match) throw new Error(`no code in: ${text}`)
  return match[1]!
}

export async function linkSentTo(db: Database, to: string, ring: KeyRing): Promise<string> {
  const { text } = await messageTo(db, 'transfer_received', to, ring)
  const match = /\/transfers\/accept\/([A-Za-z0-9_-]+)/.exec(text)
  if (!match) throw new Error(`no link in: ${text}`)
  return match[1]!
}

/** A different six-digit code than `code`. */
export const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')
