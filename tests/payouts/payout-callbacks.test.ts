/**
 * B2C result and timeout callbacks: only a URL with the payout's secret and a body naming its current
 * OriginatorConversationID counts; a wrong secret, an unknown or malformed id, a hostile body or a
 * result of an older request is answered with Daraja's ack and changes nothing; a replay is applied once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { sha256Hex } from '../../src/lib/crypto.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { createPaymentKit, JSON_HEADERS, type PaymentKit } from '../support/payments.ts'
import { noticesOf, payoutRow, resaleWithPayout } from './payout-kit.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const SECRET = 'a'.repeat(43)
const ORIGINATOR = 'tikiti-test-originator-1'

/** A payout sent to Daraja and waiting for its result, with a known secret. */
async function requestedPayout() {
  const sale = await resaleWithPayout(db, kit)
  await asSystem(db, async (trx) => trx.updateTable('payouts').set({
    status: 'requested', method: 'b2c', attempts: 1, originator_conversation_id: ORIGINATOR + sale.payout.id.slice(0, 8),
    conversation_id: `AG_20261201_${sale.payout.id.slice(0, 12)}`, callback_secret_hash: await sha256Hex(SECRET),
  }).where('id', '=', sale.payout.id).execute())
  return { ...sale, originator: ORIGINATOR + sale.payout.id.slice(0, 8) }
}

function success(originator: string, receipt = 'TLK4AB12CD') {
  return {
    Result: {
      ResultType: 0, ResultCode: 0, ResultDesc: 'The service request is processed successfully.', OriginatorConversationID: originator,
      ConversationID: 'AG_20261201_000000000000', TransactionID: receipt,
      ResultParameters: { ResultParameter: [{ Key: 'TransactionAmount', Value: 1700 }, { Key: 'TransactionReceipt', Value: receipt }] },
    },
  }
}

async function post(path: string, body: unknown) {
  const res = await kit.app.request(path, { method: 'POST', headers: JSON_HEADERS, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: res.status, body: await res.json().catch(() => null) }
}

const ACK = { status: 200, body: { ResultCode: 0, ResultDesc: 'Accepted' } }

describe('B2C callbacks', () => {
  it('refuse forged, unknown and hostile ones with Daraja\'s ack, changing nothing', async () => {
    const { payout, originator, event } = await requestedPayout()
    const before = await payoutRow(db, payout.id)
    const base = `/payments/mpesa/b2c/${payout.id}`
    const attempts: Array<[string, unknown]> = [
      [`${base}/${'b'.repeat(43)}/result`, success(originator)],
      [`${base}/${'b'.repeat(43)}/timeout`, success(originator)],
      [`${base}/${SECRET.slice(1)}/result`, success(originator)],
      [`${base}/${'x'.repeat(500)}/result`, success(originator)],
      [`/payments/mpesa/b2c/00000000-0000-4000-8000-000000000000/${SECRET}/result`, success(originator)],
      [`/payments/mpesa/b2c/not-a-uuid/${SECRET}/result`, success(originator)],
      // the right secret, hostile or wrong bodies
      [`${base}/${SECRET}/result`, 'not json {'],
      [`${base}/${SECRET}/result`, [success(originator)]],
      [`${base}/${SECRET}/result`, { Result: { ResultCode: 0 } }],
      [`${base}/${SECRET}/result`, { Result: { ...success(originator).Result, ResultDesc: 'x'.repeat(5000) } }],
      [`${base}/${SECRET}/result`, { Result: { ...success(originator).Result, OriginatorConversationID: { $ne: null } } }],
      // an older request's result (another OriginatorConversationID)
      [`${base}/${SECRET}/result`, success('tikiti-an-older-request')],
      [`${base}/${SECRET}/timeout`, success('tikiti-an-older-request')],
    ]
    for (const [path, body] of attempts) expect(await post(path, body), path).toEqual(ACK)
    expect(await payoutRow(db, payout.id)).toEqual(before)
    expect(await noticesOf(db, event.id)).toEqual([])
    // the route exists only as POST under its two names
    expect((await kit.app.request(`${base}/${SECRET}/other`, { method: 'POST', headers: JSON_HEADERS, body: '{}' })).status).toBe(404)
  })

  it('apply a true result once, however often it is repeated', async () => {
    const { payout, originator, event } = await requestedPayout()
    const url = `/payments/mpesa/b2c/${payout.id}/${SECRET}/result`
    expect(await post(url, success(originator))).toEqual(ACK)
    const done = await payoutRow(db, payout.id)
    expect(done).toMatchObject({ status: 'completed', receipt: 'TLK4AB12CD', method: 'b2c' })
    for (let i = 0; i < 3; i++) expect(await post(url, success(originator, 'TZZZZZZZZZ'))).toEqual(ACK)
    // a failure after the success, and a timeout, change nothing either
    expect(await post(url, { Result: { ...success(originator).Result, ResultCode: 'R000002', ResultDesc: 'Refused' } })).toEqual(ACK)
    expect(await post(url.replace(/result$/, 'timeout'), success(originator))).toEqual(ACK)
    expect(await payoutRow(db, payout.id)).toEqual(done)
    expect((await noticesOf(db, event.id)).map((n) => n.type)).toEqual(['payout_sent', 'payout_sent'])
  })

  it('take a timeout as due again with backoff, keeping the request\'s id and secret', async () => {
    const { payout, originator } = await requestedPayout()
    const url = `/payments/mpesa/b2c/${payout.id}/${SECRET}/timeout`
    const timeout = { Result: { ResultType: 1, ResultCode: 1, ResultDesc: 'The request timed out in the queue.', OriginatorConversationID: originator } }
    expect(await post(url, timeout)).toEqual(ACK)
    const row = await payoutRow(db, payout.id)
    expect(row).toMatchObject({ status: 'due', result_code: 'timeout', originator_conversation_id: originator, callback_secret_hash: await sha256Hex(SECRET) })
    expect(row.next_attempt_at.getTime()).toBe(kit.clock.now().getTime() + 60_000)
    // a second timeout of the same request changes nothing; its late success is still taken
    expect(await post(url, timeout)).toEqual(ACK)
    expect(await payoutRow(db, payout.id)).toEqual(row)
    expect(await post(url.replace(/timeout$/, 'result'), success(originator))).toEqual(ACK)
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'completed', receipt: 'TLK4AB12CD' })
  })

  it('write down a B2C success that comes after the manager paid by hand, for them to recover', async () => {
    const { payout, originator } = await requestedPayout()
    await asSystem(db, (trx) => trx.updateTable('payouts').set({ status: 'completed', method: 'by_hand', receipt: 'THAND12345' })
      .where('id', '=', payout.id).execute())
    expect(await post(`/payments/mpesa/b2c/${payout.id}/${SECRET}/result`, success(originator))).toEqual(ACK)
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'completed', method: 'by_hand', receipt: 'THAND12345', result_code: 'b2c_also_paid' })
  })
})
