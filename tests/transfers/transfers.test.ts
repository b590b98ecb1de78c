import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { sha256Hex } from '../../src/lib/crypto.ts'
import { expireDueTransfers } from '../../src/transfers/transfer-service.ts'
import { signIn } from '../scanning/gate-fixtures.ts'
import { MINUTE, TestClient } from '../support/client.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, DAY } from '../support/fixtures.ts'
import { codeSentTo, linkSentTo, messageTo, transferKit, wrongCode } from './transfer-kit.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

async function start(kit: Awaited<ReturnType<typeof transferKit>>, to = kit.recipient.local) {
  const res = await kit.sellerClient.post(`/tickets/${kit.ticket.id}/transfer`, { to })
  expect(res.status).toBe(303)
  const id = /\/transfers\/([0-9a-f-]{36})/.exec(res.headers.get('location')!)![1]!
  return id
}

describe('a ticket transfer', () => {
  it('moves the ticket to a recipient by phone with a code on both sides; only the newest QR admits', async () => {
    const kit = await transferKit(db)
    const before = await kit.ticketRow()
    const transferId = await start(kit)
    // from initiation the old code no longer admits
    expect(await kit.scan(kit.ticket.code)).toMatchObject({ result: 'transferred', reason: 'old_version' })
    const pendingWallet = await (await kit.sellerClient.get('/tickets')).text()
    expect(pendingWallet).toContain(`Being transferred to ${kit.recipient.masked}`)
    expect(pendingWallet).not.toContain('<svg ')

    const senderCode = await codeSentTo(db, kit.seller.email!, kit.gate.ring)
    const wrong = await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: wrongCode(senderCode) })
    expect(wrong.status).toBe(422)
    expect(await wrong.text()).toContain('Attempts left: 4')
    expect((await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: senderCode })).headers.get('location'))
      .toBe(`/transfers/${transferId}?notice=confirmed`)
    // the sender's code worked once
    expect((await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: senderCode })).status).toBe(409)

    const link = await linkSentTo(db, kit.recipient.wa, kit.gate.ring)
    const recipientCode = await codeSentTo(db, kit.recipient.wa, kit.gate.ring)
    const recipient = new TestClient(kit.gate.app)
    const page = await recipient.get(`/transfers/accept/${link}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(kit.gate.event.title)
    const accepted = await recipient.post(`/transfers/accept/${link}`, { code: recipientCode })
    expect(accepted.headers.get('location')).toBe('/tickets')
    expect(recipient.signedIn).toBe(true)

    const after = await kit.ticketRow()
    const guest = await asSystem(db, (trx) => trx.selectFrom('users').selectAll().where('id', '=', after.user_id!).executeTakeFirstOrThrow())
    expect(guest).toMatchObject({ is_guest: true, phone: kit.recipient.wa })
    expect(after).toMatchObject({ status: 'active', transfer_count: 1, qr_version: before.qr_version + 2 })
    const row = await kit.transferRow(transferId)
    expect(row).toMatchObject({
      status: 'completed', from_user_id: kit.seller.id, to_user_id: guest.id, old_qr_version: before.qr_version, new_qr_version: after.qr_version,
      old_qr_hash: await sha256Hex(kit.ticket.code), new_qr_hash: await sha256Hex(after.qr_code!),
      sender_code_hash: null, recipient_code_hash: null, recipient_link_hash: null, old_qr_code: null, new_qr_code: null,
    })
    expect(row.completed_at).not.toBeNull()

    const theirs = await (await recipient.get('/tickets')).text()
    expect(theirs.match(/<svg /g)).toHaveLength(1)
    expect(theirs).toContain(kit.gate.event.title)
    const mine = await (await kit.sellerClient.get('/tickets')).text()
    expect(mine).toContain(`Transferred to ${kit.recipient.masked}`)
    expect(await kit.scan(kit.ticket.code)).toMatchObject({ result: 'transferred' })
    expect(await kit.scan(after.qr_code!)).toMatchObject({ result: 'valid' })
    // both sides are told, and the link works once
    expect((await messageTo(db, 'transfer_confirmation', kit.seller.email!, kit.gate.ring)).text).toContain(kit.gate.event.title)
    expect((await messageTo(db, 'transfer_confirmation', kit.recipient.wa, kit.gate.ring)).text).toContain(kit.gate.event.title)
    expect((await recipient.post(`/transfers/accept/${link}`, { code: recipientCode })).status).toBe(410)
    expect((await new TestClient(kit.gate.app).get(`/transfers/accept/${link}`)).status).toBe(410)
    // the audit trail for the event's managers: versions and the new code's hash, never a code; other tenants see nothing
    const log = await (await kit.gate.clients.manager.get(`/manage/events/${kit.gate.event.id}/transfers`)).text()
    expect(log).toContain(`data-transfer="${transferId}"`)
    expect(log).toContain(`1 → ${after.qr_version}`)
    expect(log).toContain(row.new_qr_hash!.slice(0, 12))
    expect(log).not.toContain(after.qr_code!)
    expect((await kit.gate.clients.foreignManager.get(`/manage/events/${kit.gate.event.id}/transfers`)).status).toBe(404)
    expect((await kit.gate.clients.manager.get('/manage/events/not-a-uuid/transfers')).status).toBe(404)
    // the sender can no longer act on the ticket
    expect((await kit.sellerClient.post(`/tickets/${kit.ticket.id}/transfer`, { to: '0722000111' })).status).toBe(404)
  })

  it('gives a recipient with an account the ticket in that account', async () => {
    const kit = await transferKit(db)
    const friend = await createAccount(db)
    const transferId = await start(kit, friend.email!.toUpperCase())
    await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: await codeSentTo(db, kit.seller.email!, kit.gate.ring) })
    const friendClient = await signIn(kit.gate.app, friend.email!)
    const link = await linkSentTo(db, friend.email!, kit.gate.ring)
    expect((await friendClient.post(`/transfers/accept/${link}`, { code: await codeSentTo(db, friend.email!, kit.gate.ring) })).headers.get('location')).toBe('/tickets')
    expect((await kit.ticketRow()).user_id).toBe(friend.id)
    expect(await (await friendClient.get('/tickets')).text()).toContain(kit.gate.event.title)
  })

  it('refuses wrong, expired and reused codes, locks a code after 5 attempts, and a new code works', async () => {
    const kit = await transferKit(db)
    const transferId = await start(kit)
    const first = await codeSentTo(db, kit.seller.email!, kit.gate.ring)
    expect((await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: 'abc' })).status).toBe(422)
    expect((await kit.transferRow(transferId)).sender_attempts).toBe(0)
    for (let i = 0; i < 5; i++) expect((await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: wrongCode(first) })).status).toBe(422)
    const locked = await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: first })
    expect(locked.status).toBe(409)
    expect(await locked.text()).toContain('Too many wrong codes')
    expect((await kit.sellerClient.post(`/transfers/${transferId}/resend`)).status).toBe(303)
    const second = await codeSentTo(db, kit.seller.email!, kit.gate.ring)
    kit.clock.advance(11 * MINUTE)
    const expired = await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: second })
    expect(expired.status).toBe(409)
    expect(await expired.text()).toContain('expired')
    await kit.sellerClient.post(`/transfers/${transferId}/resend`)
    const third = await codeSentTo(db, kit.seller.email!, kit.gate.ring)
    expect((await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: third })).status).toBe(303)
    // codes are stored only as hashes
    const row = await kit.transferRow(transferId)
    expect(JSON.stringify(row)).not.toContain(third)

    const link = await linkSentTo(db, kit.recipient.wa, kit.gate.ring)
    const recipient = new TestClient(kit.gate.app)
    const code = await codeSentTo(db, kit.recipient.wa, kit.gate.ring)
    kit.clock.advance(11 * MINUTE)
    expect((await recipient.post(`/transfers/accept/${link}`, { code })).status).toBe(409)
    await recipient.post(`/transfers/accept/${link}/resend`)
    const fresh = await codeSentTo(db, kit.recipient.wa, kit.gate.ring)
    expect(fresh).not.toBe(code)
    expect((await recipient.post(`/transfers/accept/${link}`, { code: fresh })).status).toBe(303)
  })

  it('gives the sender a fresh QR version when they cancel, and nobody else may cancel', async () => {
    const kit = await transferKit(db)
    const transferId = await start(kit)
    const stranger = await signIn(kit.gate.app, (await createAccount(db)).email!)
    expect((await stranger.post(`/transfers/${transferId}/cancel`)).status).toBe(404)
    expect((await stranger.get(`/transfers/${transferId}`)).status).toBe(404)
    expect((await kit.sellerClient.post(`/transfers/${transferId}/cancel`)).headers.get('location')).toBe(`/transfers/${transferId}?notice=cancelled`)
    const row = await kit.transferRow(transferId)
    const ticket = await kit.ticketRow()
    expect(row).toMatchObject({ status: 'cancelled', old_qr_version: 1, new_qr_version: 3 })
    expect(ticket).toMatchObject({ user_id: kit.seller.id, qr_version: 3, transfer_count: 0 })
    expect(await kit.scan(kit.ticket.code)).toMatchObject({ result: 'transferred' })
    expect(await kit.scan(ticket.qr_code!)).toMatchObject({ result: 'valid' })
  })

  it('expires a pending transfer after 24 hours: the sender gets a fresh QR, the recipient’s link is dead', async () => {
    const kit = await transferKit(db)
    const transferId = await start(kit)
    await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: await codeSentTo(db, kit.seller.email!, kit.gate.ring) })
    const link = await linkSentTo(db, kit.recipient.wa, kit.gate.ring)
    kit.clock.advance(DAY - MINUTE)
    expect(await expireDueTransfers(db, kit.gate.ring, kit.clock.now())).toBe(0)
    kit.clock.advance(2 * MINUTE)
    // the wallet runs the owner's own expiry before it shows the tickets
    const wallet = await (await kit.sellerClient.get('/tickets')).text()
    expect(wallet.match(/<svg /g)).toHaveLength(1)
    expect((await kit.transferRow(transferId)).status).toBe('expired')
    expect((await kit.ticketRow())).toMatchObject({ user_id: kit.seller.id, qr_version: 3 })
    expect((await new TestClient(kit.gate.app).get(`/transfers/accept/${link}`)).status).toBe(410)
  })

  it(`lets exactly one of an accept and a cancel racing win ${concurrencyNote}`, async () => {
    for (let round = 0; round < 3; round++) {
      const kit = await transferKit(db)
      const transferId = await start(kit)
      await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: await codeSentTo(db, kit.seller.email!, kit.gate.ring) })
      const link = await linkSentTo(db, kit.recipient.wa, kit.gate.ring)
      const code = await codeSentTo(db, kit.recipient.wa, kit.gate.ring)
      const recipient = new TestClient(kit.gate.app)
      const [accept, cancel] = await Promise.all([
        recipient.post(`/transfers/accept/${link}`, { code }), kit.sellerClient.post(`/transfers/${transferId}/cancel`),
      ])
      const row = await kit.transferRow(transferId)
      const ticket = await kit.ticketRow()
      if (row.status === 'completed') {
        expect(accept.status).toBe(303)
        expect(cancel.status).toBe(409)
        expect(ticket.user_id).not.toBe(kit.seller.id)
      } else {
        expect(row.status).toBe('cancelled')
        expect(cancel.status).toBe(303)
        expect(accept.status).toBe(410)
        expect(ticket.user_id).toBe(kit.seller.id)
      }
      expect(ticket.qr_version).toBe(3)
      expect(await kit.scan(ticket.qr_code!)).toMatchObject({ result: 'valid' })
    }
  })
})

describe('a guest’s transfer', () => {
  it('lets a guest who opened their private link transfer their ticket, the code going to their phone', async () => {
    const kit = await transferKit(db)
    const { issueToken } = await import('../../src/accounts/one-time-tokens.ts')
    const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
    const secret = await asSystem(db, async (trx) => {
      const guest = await trx.insertInto('users').values({ is_guest: true, phone: `2547${digits}` }).returning('id').executeTakeFirstOrThrow()
      await trx.updateTable('tickets').set({ user_id: guest.id }).where('id', '=', kit.ticket.id).execute()
      return issueToken(trx, { purpose: 'ticket_link', userId: null, target: guest.id, ttlMs: DAY, now: new Date() })
    })
    const guest = new TestClient(kit.gate.app)
    expect((await guest.post(`/tickets/open/${secret}`)).headers.get('location')).toBe('/tickets')
    const wallet = await (await guest.get('/tickets')).text()
    expect(wallet).toContain(`action="/tickets/${kit.ticket.id}/transfer"`)
    const res = await guest.post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })
    expect(res.status).toBe(303)
    const transferId = /\/transfers\/([0-9a-f-]{36})/.exec(res.headers.get('location')!)![1]!
    const code = await codeSentTo(db, `2547${digits}`, kit.gate.ring)
    expect((await guest.post(`/transfers/${transferId}/confirm`, { code })).status).toBe(303)
    expect(await linkSentTo(db, kit.recipient.wa, kit.gate.ring)).toMatch(/^[A-Za-z0-9_-]{40,}$/)
  })
})

describe('the transfers API', () => {
  it('starts, confirms and accepts with JSON, answering 201, 422, 409 and 404 as documented', async () => {
    const kit = await transferKit(db)
    expect((await kit.sellerClient.postJson(`/api/v1/tickets/${kit.ticket.id}/transfers`, { to: 'nobody' })).status).toBe(422)
    const started = await kit.sellerClient.postJson(`/api/v1/tickets/${kit.ticket.id}/transfers`, { to: kit.recipient.local })
    expect(started.status).toBe(201)
    const transfer = await started.json() as { id: string; status: string; confirmed: boolean }
    expect(transfer).toMatchObject({ status: 'pending', confirmed: false })
    expect((await kit.sellerClient.postJson(`/api/v1/tickets/${kit.ticket.id}/transfers`, { to: kit.recipient.local })).status).toBe(409)
    const stranger = await signIn(kit.gate.app, (await createAccount(db)).email!)
    expect((await stranger.postJson(`/api/v1/transfers/${transfer.id}/confirm`, { code: '123456' })).status).toBe(404)
    expect((await stranger.postJson(`/api/v1/transfers/${transfer.id}/cancel`, {})).status).toBe(404)
    expect((await kit.sellerClient.postJson(`/api/v1/transfers/${transfer.id}/confirm`, { code: '12' })).status).toBe(422)
    const code = await codeSentTo(db, kit.seller.email!, kit.gate.ring)
    const wrong = await kit.sellerClient.postJson(`/api/v1/transfers/${transfer.id}/confirm`, { code: wrongCode(code) })
    expect(wrong.status).toBe(422)
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('wrong_code')
    const confirmed = await kit.sellerClient.postJson(`/api/v1/transfers/${transfer.id}/confirm`, { code })
    expect(await confirmed.json()).toMatchObject({ confirmed: true })
    const link = await linkSentTo(db, kit.recipient.wa, kit.gate.ring)
    const recipientCode = await codeSentTo(db, kit.recipient.wa, kit.gate.ring)
    const anyone = new TestClient(kit.gate.app)
    expect((await anyone.postJson(`/api/v1/transfers/${crypto.randomUUID()}/accept`, { code: recipientCode, link })).status).toBe(404)
    const accepted = await anyone.postJson(`/api/v1/transfers/${transfer.id}/accept`, { code: recipientCode, link })
    expect(accepted.status).toBe(200)
    expect(await accepted.json()).toEqual({ ticketId: kit.ticket.id })
    expect((await kit.sellerClient.postJson(`/api/v1/transfers/${transfer.id}/cancel`, {})).status).toBe(409)
    expect((await kit.ticketRow()).user_id).not.toBe(kit.seller.id)
  })
})

describe('what may not be transferred', () => {
  it('refuses bad recipients with 422 and changes nothing', async () => {
    const kit = await transferKit(db)
    for (const to of ['', 'not a phone', '0812345678', 'a@b', 'x'.repeat(300), kit.seller.email!]) {
      const res = await kit.sellerClient.post(`/tickets/${kit.ticket.id}/transfer`, { to })
      expect(res.status).toBe(422)
    }
    expect(await kit.ticketRow()).toMatchObject({ qr_version: 1, qr_code: kit.ticket.code })
    expect(await kit.scan(kit.ticket.code)).toMatchObject({ result: 'valid' })
  })

  it('refuses another person’s ticket, and sends the signed-out to sign in', async () => {
    const kit = await transferKit(db)
    const stranger = await signIn(kit.gate.app, (await createAccount(db)).email!)
    expect((await stranger.post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })).status).toBe(404)
    // another tenant's manager is a stranger to it too
    expect((await kit.gate.clients.foreignManager.post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })).status).toBe(404)
    expect((await kit.gate.clients.manager.post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })).status).toBe(404)
    expect((await new TestClient(kit.gate.app).post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })).headers.get('location')).toContain('/login')
    expect(await kit.ticketRow()).toMatchObject({ qr_version: 1, user_id: kit.seller.id })
  })

  it('applies the event’s limit, and refuses after the start, used, cancelled, listed and disallowed (a fee is paid instead: fees.test.ts)', async () => {
    const cases: Array<[string, (kit: Awaited<ReturnType<typeof transferKit>>) => Promise<unknown>, string]> = [
      ['limit', (kit) => asSystem(db, (trx) => trx.updateTable('tickets').set({ transfer_count: 2 }).where('id', '=', kit.ticket.id).execute()), 'most times the organiser allows (2)'],
      ['started', (kit) => asSystem(db, (trx) => trx.updateTable('events').set({ starts_at: new Date(Date.now() - 60_000) }).where('id', '=', kit.gate.event.id).execute()), 'The event has started'],
      ['used', (kit) => kit.scan(kit.ticket.code), 'has been used'],
      ['cancelled', (kit) => asSystem(db, (trx) => trx.updateTable('tickets').set({ status: 'cancelled' }).where('id', '=', kit.ticket.id).execute()), 'Only a valid ticket'],
      ['listed', (kit) => asSystem(db, (trx) => trx.insertInto('marketplace_listings').values({
        tenant_id: kit.gate.tenant.id, ticket_id: kit.ticket.id, event_id: kit.gate.event.id, seller_id: kit.seller.id,
        original_price_minor: 100_000, listing_price_minor: 100_000,
      }).execute()), 'listed for resale'],
      ['disallowed', (kit) => asSystem(db, (trx) => trx.updateTable('events').set({ allow_transfers: false }).where('id', '=', kit.gate.event.id).execute()), 'does not allow transfers'],
    ]
    for (const [name, arrange, message] of cases) {
      const kit = await transferKit(db)
      await arrange(kit)
      const before = await kit.ticketRow()
      const res = await kit.sellerClient.post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })
      expect(res.status, name).toBe(409)
      expect(await res.text(), name).toContain(message)
      expect(await kit.ticketRow(), name).toEqual(before)
    }
  }, 180_000)

  it('allows one transfer in progress per ticket', async () => {
    const kit = await transferKit(db)
    await start(kit)
    expect((await kit.sellerClient.post(`/tickets/${kit.ticket.id}/transfer`, { to: '0722000111' })).status).toBe(409)
  })
})
