import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createGate, scanBody, sellWithCodes, signIn } from '../scanning/gate-fixtures.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount } from '../support/fixtures.ts'

let db: Database
let gate: Awaited<ReturnType<typeof createGate>>
beforeAll(async () => {
  db = await openTestDatabase()
  gate = await createGate(db)
})
afterAll(() => db.destroy())

describe('the wallet', () => {
  it('shows each ticket with its event, Nairobi time, venue and map link, type, price, holder, state, QR and PDF', async () => {
    const buyer = await createAccount(db)
    await asSystem(db, (trx) => trx.updateTable('events').set({ venue_latitude: -1.2921, venue_longitude: 36.8219, starts_at: new Date('2030-03-14T16:30:00Z') })
      .where('id', '=', gate.event.id).execute())
    const [used, valid] = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 2, buyer.id)
    await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans`, scanBody(used!.code, { scannedAt: '2030-03-14T16:42:00Z' }))
    const client = await signIn(gate.app, buyer.email!)
    const html = await (await client.get('/tickets')).text()
    expect(html).toContain(gate.event.title)
    expect(html).toContain('19:30') // 16:30 UTC is 19:30 in Nairobi
    expect(html).toContain('Test Venue, Nairobi')
    expect(html).toContain('https://www.openstreetmap.org/?mlat=-1.292100&amp;mlon=36.821900')
    expect(html).toContain('Regular')
    expect(html).toMatch(/KES\s*1,000/)
    expect(html).toContain('Test Person')
    expect(html).toContain('Used at')
    expect(html).toContain(`/tickets/${valid!.id}/pdf`)
    expect(html).not.toContain(`/tickets/${used!.id}/pdf`)
    expect(html.match(/<svg /g)).toHaveLength(1)
    // the valid ticket can be transferred from here; the used one cannot
    expect(html).toContain(`action="/tickets/${valid!.id}/transfer"`)
    expect(html).not.toContain(`action="/tickets/${used!.id}/transfer"`)
  })

  it('says why a ticket cannot be transferred instead of offering it', async () => {
    const buyer = await createAccount(db)
    const [ticket] = await sellWithCodes(db, gate.ring, gate.other.event.id, gate.other.ticketTypes[0]!.id, 1, buyer.id)
    await asSystem(db, (trx) => trx.updateTable('events').set({ allow_transfers: false }).where('id', '=', gate.other.event.id).execute())
    const html = await (await (await signIn(gate.app, buyer.email!)).get('/tickets')).text()
    expect(html).toContain('does not allow transfers')
    expect(html).not.toContain(`action="/tickets/${ticket!.id}/transfer"`)
  })

  it('gives a signed-in buyer their unpaid holds on any device, and nobody else', async () => {
    const buyer = await createAccount(db)
    const phone = await signIn(gate.app, buyer.email!)
    const hold = await phone.post(`/events/${gate.event.slug}/reserve`, { [`qty_${gate.type.id}`]: '1' })
    const holdPath = hold.headers.get('location')!
    const holdId = holdPath.split('/').pop()!
    const laptop = await signIn(gate.app, buyer.email!)
    expect((await laptop.get(holdPath)).status).toBe(404) // the cookie is the phone's
    const wallet = await (await laptop.get('/tickets')).text()
    expect(wallet).toContain('Unpaid holds')
    expect(wallet).toContain(`/reservations/${holdId}/continue`)
    const stranger = await signIn(gate.app, (await createAccount(db)).email!)
    expect((await stranger.post(`/reservations/${holdId}/continue`)).status).toBe(404)
    expect(await (await stranger.get('/tickets')).text()).not.toContain(holdId)
    expect((await laptop.post('/reservations/not-a-uuid/continue')).status).toBe(404)
    expect((await laptop.post(`/reservations/${holdId}/continue`)).headers.get('location')).toBe(holdPath)
    expect((await laptop.get(holdPath)).status).toBe(200)
    // the hold moved to this device: the phone's cookie no longer opens it
    expect((await phone.get(holdPath)).status).toBe(404)
    expect((await new TestClient(gate.app).post(`/reservations/${holdId}/continue`)).headers.get('location')).toContain('/login')
  })
})
