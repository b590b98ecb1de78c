import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { reissueTicketCode } from '../../src/tickets/issuing.ts'
import { TestClient, TestClock } from '../support/client.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { createGate, flipBit, scanBody, scansOf, sellWithCodes } from './gate-fixtures.ts'

let db: Database
let gate: Awaited<ReturnType<typeof createGate>>
const clock = new TestClock()

beforeAll(async () => {
  db = await openTestDatabase()
  gate = await createGate(db, { now: clock.now })
}, 60_000)
afterAll(() => db.destroy())

const scanPath = () => `/api/v1/events/${gate.event.id}/scans`
const sell = (n: number) => sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, n)

describe('online check-in', () => {
  it('admits a ticket once: VALID with its type, then ALREADY USED with when and where it was first admitted', async () => {
    const [ticket] = await sell(1)
    const first = await gate.clients.scanner.postJson(scanPath(), scanBody(ticket!.code, { gate: 'North', deviceId: 'phone-a' }))
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ result: 'valid', ticket: { id: ticket!.id, type: 'Regular' } })
    const again = await gate.clients.secondScanner.postJson(scanPath(), scanBody(ticket!.code, { gate: 'South', deviceId: 'phone-b' }))
    const body = await again.json() as { result: string; firstScan: { gate: string; deviceId: string; at: string } }
    expect(body).toMatchObject({ result: 'duplicate', reason: 'already_used', firstScan: { gate: 'North', deviceId: 'phone-a' } })
    expect(Date.parse(body.firstScan.at)).not.toBeNaN()
    const rows = (await scansOf(db, gate.event.id)).filter((row) => row.ticket_id === ticket!.id)
    expect(rows.map((row) => [row.scan_result, row.entered, row.gate, row.device_id])).toEqual([
      ['valid', true, 'North', 'phone-a'], ['duplicate', false, 'South', 'phone-b'],
    ])
    for (const row of rows) expect(row.synced_at).toBeInstanceOf(Date)
    const stored = await asSystem(db, (trx) => trx.selectFrom('tickets').select(['status', 'scanned_by']).where('id', '=', ticket!.id).executeTakeFirstOrThrow())
    expect(stored).toEqual({ status: 'used', scanned_by: gate.accounts.scanner.id })
  })

  it(`20 concurrent scans of one code by two scanners: exactly one valid ${concurrencyNote}`, async () => {
    const [ticket] = await sell(1)
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      (i % 2 ? gate.clients.scanner : gate.clients.secondScanner).postJson(scanPath(), scanBody(ticket!.code))
        .then(async (res) => [res.status, ((await res.json()) as { result: string }).result] as const)))
    expect(answers.filter(([status]) => status !== 200)).toEqual([])
    expect(answers.filter(([, result]) => result === 'valid')).toHaveLength(1)
    expect(answers.filter(([, result]) => result === 'duplicate')).toHaveLength(19)
    const rows = (await scansOf(db, gate.event.id)).filter((row) => row.ticket_id === ticket!.id)
    expect(rows).toHaveLength(20)
    expect(rows.filter((row) => row.entered)).toHaveLength(1)
  })

  it(`a repeated scanId answers the first answer and records nothing new ${concurrencyNote}`, async () => {
    const [ticket] = await sell(1)
    const body = scanBody(ticket!.code)
    const answers = await Promise.all([1, 2, 3].map(() => gate.clients.scanner.postJson(scanPath(), body).then((res) => res.json())))
    expect(answers).toEqual([answers[0], answers[0], answers[0]])
    expect(answers[0]).toMatchObject({ result: 'valid' })
    const later = await gate.clients.scanner.postJson(scanPath(), body)
    expect(await later.json()).toEqual(answers[0])
    expect((await scansOf(db, gate.event.id)).filter((row) => row.ticket_id === ticket!.id)).toHaveLength(1)
  })

  it('refuses forged, truncated, bit-flipped, other-event, old-version, cancelled, refunded and unpaid codes, and records each', async () => {
    const [good, old, cancelled, unpaid, refunded] = await sell(5)
    const [otherEventTicket] = await sellWithCodes(db, gate.ring, gate.other.event.id, gate.other.ticketTypes[0]!.id, 1)
    await reissueTicketCode(db, gate.ring, old!.id, new Date())
    await asSystem(db, async (trx) => {
      await trx.updateTable('tickets').set({ status: 'cancelled' }).where('id', 'in', [cancelled!.id, refunded!.id]).execute()
      await trx.updateTable('tickets').set({ status: 'pending_payment' }).where('id', '=', unpaid!.id).execute()
      const payment = await trx.insertInto('transactions').values({
        tenant_id: gate.tenant.id, ticket_id: refunded!.id, event_id: gate.event.id, amount_minor: 100_000, commission_minor: 0, status: 'refunded',
      }).returning('id').executeTakeFirstOrThrow()
      await trx.updateTable('tickets').set({ transaction_id: payment.id }).where('id', '=', refunded!.id).execute()
    })
    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['forged signature', flipBit(good!.code, 60), { result: 'invalid', reason: 'forged' }],
      ['bit-flipped payload', flipBit(good!.code, 10), { result: 'invalid', reason: 'forged' }],
      ['truncated', good!.code.slice(0, 120), { result: 'invalid', reason: 'malformed' }],
      ['not a code', 'HELLO', { result: 'invalid', reason: 'malformed' }],
      ['other event', otherEventTicket!.code, { result: 'invalid', reason: 'other_event' }],
      ['old version', old!.code, { result: 'transferred', reason: 'old_version' }],
      ['cancelled', cancelled!.code, { result: 'cancelled', reason: 'cancelled' }],
      ['refunded', refunded!.code, { result: 'cancelled', reason: 'refunded' }],
      ['unpaid', unpaid!.code, { result: 'unpaid', reason: 'not_paid' }],
    ]
    for (const [name, code, expected] of cases) {
      const body = scanBody(code)
      const res = await gate.clients.scanner.postJson(scanPath(), body)
      expect(res.status, name).toBe(200)
      expect(await res.json(), name).toMatchObject(expected)
      const row = (await scansOf(db, gate.event.id)).find((scan) => scan.scan_id === body.scanId)
      expect(row, name).toMatchObject({ scan_result: expected.result, reason: expected.reason, entered: false })
    }
    // the good code still admits: nothing above touched it
    expect(await (await gate.clients.scanner.postJson(scanPath(), scanBody(good!.code))).json()).toMatchObject({ result: 'valid' })
    const statuses = await asSystem(db, (trx) => trx.selectFrom('tickets').select(['id', 'status']).where('id', 'in', [old!.id, cancelled!.id, unpaid!.id]).execute())
    expect(statuses.map((row) => row.status).sort()).toEqual(['active', 'cancelled', 'pending_payment'])
  })

  it('shows the holder’s first name only, never the whole name', async () => {
    await asSystem(db, (trx) => trx.updateTable('users').set({ name: 'Amina Wanjiru Otieno' }).where('id', '=', gate.accounts.buyer.id).execute())
    const [ticket] = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 1, gate.accounts.buyer.id)
    const answer = await (await gate.clients.scanner.postJson(scanPath(), scanBody(ticket!.code))).json()
    expect(answer).toEqual({ result: 'valid', ticket: { id: ticket!.id, type: 'Regular', holderFirstName: 'Amina' } })
    const again = await (await gate.clients.scanner.postJson(scanPath(), scanBody(ticket!.code))).json() as { ticket: { holderFirstName: string } }
    expect(again.ticket.holderFirstName).toBe('Amina')
  })

  it('mixed case and spaces around a typed code are forgiven; the ticket id decides, not the text', async () => {
    const [ticket] = await sell(1)
    const typed = `  ${ticket!.code.toLowerCase()} `
    const res = await gate.clients.scanner.postJson(scanPath(), scanBody(typed))
    expect(await res.json()).toMatchObject({ result: 'valid' })
  })

  it('refuses a scanner of another event, a scanner of another tenant, a manager of another tenant, a buyer and nobody, recording nothing', async () => {
    const [ticket] = await sell(1)
    const before = (await scansOf(db, gate.event.id)).length
    const refused: Array<[TestClient, number]> = [
      [gate.clients.scannerOfOther, 404], [gate.clients.foreignScanner, 404], [gate.clients.foreignManager, 404],
      [gate.clients.buyer, 403], [new TestClient(gate.app), 401],
    ]
    for (const [client, status] of refused) {
      const res = await client.postJson(scanPath(), scanBody(ticket!.code))
      expect(res.status).toBe(status)
      expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(/not_found|forbidden|unauthenticated/)
    }
    expect((await scansOf(db, gate.event.id)).length).toBe(before)
    expect(await (await gate.clients.manager.postJson(scanPath(), scanBody(ticket!.code))).json()).toMatchObject({ result: 'valid' })
  })

  it('refuses bad input with a clear 4xx and records nothing', async () => {
    const [ticket] = await sell(1)
    const before = (await scansOf(db, gate.event.id)).length
    const bad = [
      {}, { ...scanBody(ticket!.code), scanId: 'not-a-uuid' }, { ...scanBody(ticket!.code), scannedAt: 'yesterday' },
      { ...scanBody(ticket!.code), deviceId: '' }, { ...scanBody(ticket!.code), code: 'x'.repeat(401) },
      { ...scanBody(ticket!.code), location: { latitude: 91, longitude: 0 } },
    ]
    for (const body of bad) {
      const res = await gate.clients.scanner.postJson(scanPath(), body)
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'invalid_request' })
    }
    const notJson = await gate.app.request(scanPath(), {
      method: 'POST', body: 'code=x', headers: { 'content-type': 'text/plain', origin: 'http://localhost', cookie: '' },
    })
    expect(notJson.status).toBeGreaterThanOrEqual(400)
    expect(notJson.status).toBeLessThan(500)
    expect((await gate.clients.scanner.postJson('/api/v1/events/not-a-uuid/scans', scanBody(ticket!.code))).status).toBe(404)
    expect((await scansOf(db, gate.event.id)).length).toBe(before)
  })
})

describe('undo', () => {
  const undo = (client: TestClient, scanId: string, deviceId: string) =>
    client.postJson(`/api/v1/events/${gate.event.id}/scans/${scanId}/undo`, { deviceId })

  it('undoes an admission from the same device within 2 minutes, audited; not from another device, not later', async () => {
    const [ticket, late] = await sell(2)
    const body = scanBody(ticket!.code, { deviceId: 'undo-phone' })
    await gate.clients.scanner.postJson(scanPath(), body)
    expect((await undo(gate.clients.scanner, body.scanId, 'another-phone')).status).toBe(403)
    expect((await undo(gate.clients.secondScanner, body.scanId, 'undo-phone')).status).toBe(403)
    expect((await undo(gate.clients.scanner, body.scanId, 'undo-phone')).status).toBe(204)
    expect((await undo(gate.clients.scanner, body.scanId, 'undo-phone')).status).toBe(409)
    const audit = await asSystem(db, (trx) => trx.selectFrom('audit_log').select(['action', 'actor_user_id', 'target_id'])
      .where('action', '=', 'scan_undone').where('target_id', '=', ticket!.id).execute())
    expect(audit).toEqual([{ action: 'scan_undone', actor_user_id: gate.accounts.scanner.id, target_id: ticket!.id }])
    // the ticket admits again
    expect(await (await gate.clients.scanner.postJson(scanPath(), scanBody(ticket!.code))).json()).toMatchObject({ result: 'valid' })

    const lateBody = scanBody(late!.code, { deviceId: 'undo-phone' })
    await gate.clients.scanner.postJson(scanPath(), lateBody)
    clock.advance(2 * 60_000 + 1000)
    expect((await undo(gate.clients.scanner, lateBody.scanId, 'undo-phone')).status).toBe(409)
    const status = await asSystem(db, (trx) => trx.selectFrom('tickets').select('status').where('id', '=', late!.id).executeTakeFirstOrThrow())
    expect(status.status).toBe('used')
  })
})

describe('device tokens', () => {
  it('a token issued to a signed-in scanner works without the session, for assigned events only, until a manager revokes it', async () => {
    const [a, b] = await sell(2)
    const issued = await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scanner-token`, { deviceId: 'token-phone', label: 'Gate 2' })
    expect(issued.status).toBe(201)
    const { token } = await issued.json() as { token: string }
    const bearer = { authorization: `Bearer ${token}` }
    const noSession = new TestClient(gate.app, bearer)
    expect(await (await noSession.postJson(scanPath(), scanBody(a!.code))).json()).toMatchObject({ result: 'valid' })
    expect((await noSession.postJson(`/api/v1/events/${gate.other.event.id}/scans`, scanBody(a!.code))).status).toBe(404)
    // a device token cannot mint another
    expect((await noSession.postJson(`/api/v1/events/${gate.event.id}/scanner-token`, { deviceId: 'x' })).status).toBe(401)
    const device = await asSystem(db, (trx) => trx.selectFrom('scanner_devices').select(['id', 'token_hash']).where('device_id', '=', 'token-phone').executeTakeFirstOrThrow())
    expect(device.token_hash).not.toContain(token)
    const revoke = await gate.clients.manager.post(`/manage/events/${gate.event.id}/devices/${device.id}/revoke`)
    expect(revoke.status).toBe(303)
    const after = await noSession.postJson(scanPath(), scanBody(b!.code))
    expect(after.status).toBe(401)
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('unauthenticated')
    expect((await new TestClient(gate.app, { authorization: 'Bearer sd_nonsense' }).postJson(scanPath(), scanBody(b!.code))).status).toBe(401)
  })

  it('a manager of another tenant cannot revoke the device', async () => {
    await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scanner-token`, { deviceId: 'kept-phone' })
    const device = await asSystem(db, (trx) => trx.selectFrom('scanner_devices').select('id').where('device_id', '=', 'kept-phone')
      .where('revoked_at', 'is', null).executeTakeFirstOrThrow())
    const res = await gate.clients.foreignManager.post(`/manage/events/${gate.event.id}/devices/${device.id}/revoke`)
    expect(res.status).toBe(404)
    const row = await asSystem(db, (trx) => trx.selectFrom('scanner_devices').select('revoked_at').where('id', '=', device.id).executeTakeFirstOrThrow())
    expect(row.revoked_at).toBeNull()
  })
})

describe('the manual form without JavaScript', () => {
  it('checks a typed code on the server and shows the verdict on the page; an empty code just shows the page', async () => {
    const [ticket] = await sell(1)
    const page = await gate.clients.scanner.post(`/scan/events/${gate.event.id}/check`, { code: ticket!.code })
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('<div class="verdict valid"')
    expect(html).toContain('VALID')
    const again = await (await gate.clients.scanner.post(`/scan/events/${gate.event.id}/check`, { code: ticket!.code })).text()
    expect(again).toContain('ALREADY USED')
    const empty = await gate.clients.scanner.post(`/scan/events/${gate.event.id}/check`, { code: '   ' })
    expect(empty.status).toBe(200)
    expect(await empty.text()).not.toContain('<div class="verdict')
    const rows = (await scansOf(db, gate.event.id)).filter((row) => row.ticket_id === ticket!.id)
    expect(rows.map((row) => [row.scan_result, row.device_id]).sort()).toEqual([['duplicate', 'web-form'], ['valid', 'web-form']])
    expect((await gate.clients.scannerOfOther.post(`/scan/events/${gate.event.id}/check`, { code: ticket!.code })).status).toBe(404)
  })
})
