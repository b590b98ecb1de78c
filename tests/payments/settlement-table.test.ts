/**
 * The settlement table: every payment transition is decided in one place, and every one it does not
 * list is refused, by the check and by the database write that goes through it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import type { TransactionStatus } from '../../src/db/schema.ts'
import { DomainError } from '../../src/lib/domain-errors.ts'
import { assertSettlement, canSettle, moveTransaction, settlementStatesBefore, TRANSACTION_STATUSES } from '../../src/payments/settlement-table.ts'
import { assertTicketTransition, moveTickets } from '../../src/tickets/lifecycle.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'

const LEGAL: Array<[TransactionStatus, TransactionStatus]> = [
  ['pending', 'completed'], ['pending', 'failed'], ['pending', 'refund_due'],
  ['failed', 'completed'], ['failed', 'refund_due'],
  ['completed', 'partially_refunded'], ['completed', 'refunded'], ['completed', 'refund_due'],
  ['partially_refunded', 'partially_refunded'], ['partially_refunded', 'refunded'], ['partially_refunded', 'refund_due'],
  ['refund_due', 'refund_requested'], ['refund_due', 'refunded'],
  ['refund_requested', 'refunded'], ['refund_requested', 'refund_due'],
]

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

describe('the settlement table', () => {
  it('allows exactly the listed transitions and refuses every other pair with one domain error', () => {
    const legal = new Set(LEGAL.map(([from, to]) => `${from}>${to}`))
    expect(TRANSACTION_STATUSES).toHaveLength(7)
    for (const from of TRANSACTION_STATUSES) {
      for (const to of TRANSACTION_STATUSES) {
        const allowed = legal.has(`${from}>${to}`)
        expect(canSettle(from, to), `${from} → ${to}`).toBe(allowed)
        if (allowed) expect(() => assertSettlement(from, to)).not.toThrow()
        else {
          const error = (() => { try { assertSettlement(from, to) } catch (e) { return e } })()
          expect(error, `${from} → ${to}`).toBeInstanceOf(DomainError)
          expect(error).toMatchObject({ status: 409, code: 'illegal_payment_transition' })
        }
      }
    }
    // a refunded payment is final; a failure never follows money kept
    expect(settlementStatesBefore('failed')).toEqual(['pending'])
    expect(TRANSACTION_STATUSES.filter((to) => canSettle('refunded', to))).toEqual([])
  })

  it('writes only a listed transition, and only from the status the payment was read with', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    const payment = await asSystem(db, (trx) => trx.insertInto('transactions').values({
      tenant_id: tenant.id, event_id: event.id, amount_minor: 100_000, commission_minor: 5_000, status: 'completed',
    }).returningAll().executeTakeFirstOrThrow())
    const statusNow = () => asSystem(db, async (trx) => (await trx.selectFrom('transactions').select('status').where('id', '=', payment.id).executeTakeFirstOrThrow()).status)
    await expect(asSystem(db, (trx) => moveTransaction(trx, payment, 'failed', new Date()))).rejects.toMatchObject({ code: 'illegal_payment_transition' })
    await expect(asSystem(db, (trx) => moveTransaction(trx, payment, 'pending', new Date()))).rejects.toMatchObject({ code: 'illegal_payment_transition' })
    expect(await statusNow()).toBe('completed')
    // a stale read (it says pending; the row is completed) never overwrites the newer outcome
    await expect(asSystem(db, (trx) => moveTransaction(trx, { ...payment, status: 'pending' }, 'failed', new Date())))
      .rejects.toMatchObject({ code: 'payment_changed' })
    await asSystem(db, (trx) => moveTransaction(trx, payment, 'refund_due', new Date()))
    expect(await statusNow()).toBe('refund_due')
  })

  it('keeps commission and net only on money kept: none when failed or refunded, in proportion when partly refunded', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    const insert = (status: TransactionStatus, refunded = 0) => asSystem(db, (trx) => trx.insertInto('transactions').values({
      tenant_id: tenant.id, event_id: event.id, amount_minor: 100_000, commission_minor: 5_000, status, refunded_minor: refunded,
    }).returning(['commission_earned_minor', 'net_minor']).executeTakeFirstOrThrow())
    expect(await insert('completed')).toEqual({ commission_earned_minor: 5_000, net_minor: 95_000 })
    expect(await insert('failed')).toEqual({ commission_earned_minor: 0, net_minor: 0 })
    expect(await insert('pending')).toEqual({ commission_earned_minor: 0, net_minor: 0 })
    expect(await insert('refund_due')).toEqual({ commission_earned_minor: 0, net_minor: 0 })
    expect(await insert('refunded', 100_000)).toEqual({ commission_earned_minor: 0, net_minor: 0 })
    // KES 400 of KES 1,000 back: commission on the KES 600 kept; paid = commission + net + refunded
    expect(await insert('partially_refunded', 40_000)).toEqual({ commission_earned_minor: 3_000, net_minor: 57_000 })
    await expect(insert('partially_refunded', 100_001)).rejects.toThrow()
  })
})

describe('the ticket table, through moveTickets', () => {
  it('refuses a move the table does not list before touching any row', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 3 }] })
    expect(() => assertTicketTransition('used', 'cancelled')).toThrow(DomainError)
    expect(() => assertTicketTransition('pending_payment', 'active')).toThrow(DomainError)
    await expect(asSystem(db, (trx) => moveTickets(trx, ['available', 'used'], 'cancelled', { eventId: event.id }, {}, new Date())))
      .rejects.toMatchObject({ code: 'illegal_ticket_transition' })
    const statuses = await asSystem(db, (trx) => trx.selectFrom('tickets').select('status').where('event_id', '=', event.id).execute())
    expect(statuses.map((row) => row.status)).toEqual(['available', 'available', 'available'])
    expect(await asSystem(db, (trx) => moveTickets(trx, ['available'], 'cancelled', { eventId: event.id }, {}, new Date()))).toBe(3)
  })
})

describe('one place for each table', () => {
  it('changes a payment’s or a ticket’s status nowhere but through its table', async () => {
    const { readFileSync } = await import('node:fs')
    const { sourceFiles, SRC } = await import('../support/source-files.ts')
    const root = SRC.replace(/\/$/, '')
    const files = sourceFiles()
    const offenders: string[] = []
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      for (const [table, home] of [['transactions', 'settlement-table.ts'], ['tickets', 'lifecycle.ts']] as const) {
        if (file.endsWith(home)) continue
        for (const match of text.matchAll(new RegExp(`updateTable\\('${table}'\\)\\.set\\(\\{([^}]*)\\}|update ${table} set ((?:(?!where)[^\`])*)`, 'g'))) {
          if (/\bstatus\s*[:=]/.test(match[1] ?? match[2] ?? '')) offenders.push(`${file.slice(root.length)}: ${match[0].slice(0, 80)}`)
        }
      }
    }
    expect(offenders).toEqual([])
  })
})
