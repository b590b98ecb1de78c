import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { TestClient } from '../support/client.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { createGate, scanBody, scansOf, sellWithCodes, signIn } from './gate-fixtures.ts'

let db: Database
let gate: Awaited<ReturnType<typeof createGate>>

beforeAll(async () => {
  db = await openTestDatabase()
  gate = await createGate(db)
}, 60_000)
afterAll(() => db.destroy())

const syncPath = () => `/api/v1/events/${gate.event.id}/scans/sync`
const sell = (n: number) => sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, n)
const offlineScan = (code: string, at: Date, deviceId: string, offlineResult = 'valid') =>
  ({ ...scanBody(code, { deviceId, scannedAt: at.toISOString() }), offlineResult })

interface SyncAnswer { results: Array<{ scanId: string; replay: boolean; answer: { result: string; reason?: string } }> }

describe('offline sync', () => {
  it('the same batch twice: the second answers the same, as replays, and records nothing new', async () => {
    const [a, b] = await sell(2)
    const t = new Date(Date.now() - 60_000)
    const batch = { scans: [offlineScan(a!.code, t, 'phone-1'), offlineScan(b!.code, t, 'phone-1'), offlineScan('T1NOPE', t, 'phone-1', 'invalid')] }
    const first = await (await gate.clients.scanner.postJson(syncPath(), batch)).json() as SyncAnswer
    expect(first.results.map((r) => [r.answer.result, r.replay])).toEqual([['valid', false], ['valid', false], ['invalid', false]])
    const second = await (await gate.clients.scanner.postJson(syncPath(), batch)).json() as SyncAnswer
    expect(second.results.map((r) => r.answer)).toEqual(first.results.map((r) => r.answer))
    expect(second.results.every((r) => r.replay)).toBe(true)
    const rows = (await scansOf(db, gate.event.id)).filter((row) => batch.scans.some((scan) => scan.scanId === row.scan_id))
    expect(rows).toHaveLength(3)
    for (const row of rows) {
      expect(row.offline).toBe(true)
      expect(row.scanned_at.getTime()).toBe(t.getTime())
      expect(row.synced_at!.getTime()).toBeGreaterThan(t.getTime())
    }
  })

  it(`two devices admitted one ticket offline: the earliest is the admission, the other a duplicate that got in ${concurrencyNote}`, async () => {
    const [ticket] = await sell(1)
    const early = new Date(Date.now() - 10 * 60_000)
    const late = new Date(Date.now() - 5 * 60_000)
    // the later scan reaches the server first
    const lateScan = offlineScan(ticket!.code, late, 'phone-late')
    const earlyScan = offlineScan(ticket!.code, early, 'phone-early')
    const [lateAnswer, earlyAnswer] = await Promise.all([
      gate.clients.scanner.postJson(syncPath(), { scans: [lateScan] }).then((res) => res.json() as Promise<SyncAnswer>),
      gate.clients.secondScanner.postJson(syncPath(), { scans: [earlyScan] }).then((res) => res.json() as Promise<SyncAnswer>),
    ])
    // the earlier scan is always the admission; the later one was answered valid if it arrived first
    expect(earlyAnswer.results[0]!.answer.result).toBe('valid')
    expect(['valid', 'duplicate']).toContain(lateAnswer.results[0]!.answer.result)
    const rows = (await scansOf(db, gate.event.id)).filter((row) => row.ticket_id === ticket!.id)
    // whatever order they arrived in, the record is the same: the earlier one admitted
    expect(rows.map((row) => [row.device_id, row.scan_result, row.entered])).toEqual([
      ['phone-early', 'valid', true], ['phone-late', 'duplicate', true],
    ])
    const stored = await asSystem(db, (trx) => trx.selectFrom('tickets').select(['status', 'scanned_at']).where('id', '=', ticket!.id).executeTakeFirstOrThrow())
    expect(stored.status).toBe('used')
    expect(stored.scanned_at!.getTime()).toBe(early.getTime())
  })

  it('an offline refusal is recorded as refused and admits nothing; an offline admission of a cancelled ticket is a fact too', async () => {
    const [refused, cancelled] = await sell(2)
    await asSystem(db, (trx) => trx.updateTable('tickets').set({ status: 'cancelled' }).where('id', '=', cancelled!.id).execute())
    const t = new Date(Date.now() - 60_000)
    const body = await (await gate.clients.scanner.postJson(syncPath(), { scans: [
      { ...offlineScan(refused!.code, t, 'phone-1', 'transferred'), offlineReason: 'old_version' },
      offlineScan(cancelled!.code, t, 'phone-1', 'valid'),
    ] })).json() as SyncAnswer
    expect(body.results.map((r) => r.answer)).toMatchObject([{ result: 'transferred', reason: 'old_version' }, { result: 'cancelled' }])
    const status = await asSystem(db, (trx) => trx.selectFrom('tickets').select('status').where('id', '=', refused!.id).executeTakeFirstOrThrow())
    expect(status.status).toBe('active')
    const rows = (await scansOf(db, gate.event.id)).filter((row) => [refused!.id, cancelled!.id].includes(row.ticket_id!))
    expect(rows.map((row) => [row.scan_result, row.entered]).sort()).toEqual([['cancelled', true], ['transferred', false]])
  })

  it('a batch from an expired session is refused whole, then accepted after signing in again', async () => {
    const [ticket] = await sell(1)
    const client = await signIn(gate.app, gate.accounts.scanner.email!)
    await asSystem(db, (trx) => trx.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', gate.accounts.scanner.id).where('revoked_at', 'is', null).execute())
    const batch = { scans: [offlineScan(ticket!.code, new Date(Date.now() - 60_000), 'phone-x')] }
    const refused = await client.postJson(syncPath(), batch)
    expect(refused.status).toBe(401)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthenticated')
    expect((await scansOf(db, gate.event.id)).filter((row) => row.scan_id === batch.scans[0]!.scanId)).toEqual([])
    const again = await signIn(gate.app, gate.accounts.scanner.email!)
    const accepted = await (await again.postJson(syncPath(), batch)).json() as SyncAnswer
    expect(accepted.results[0]!.answer.result).toBe('valid')
    // the refreshed session of the original client stays refused: it is the new sign-in that syncs
    expect((await new TestClient(gate.app).postJson(syncPath(), batch)).status).toBe(401)
  })

  it('refuses a malformed batch with 422 and records nothing; a scanner of another event gets 404', async () => {
    const [ticket] = await sell(1)
    const before = (await scansOf(db, gate.event.id)).length
    for (const body of [{}, { scans: [] }, { scans: [{ ...scanBody(ticket!.code), offlineResult: 'maybe' }] }]) {
      expect((await gate.clients.scanner.postJson(syncPath(), body)).status).toBe(422)
    }
    const good = { scans: [offlineScan(ticket!.code, new Date(), 'phone-1')] }
    expect((await gate.clients.scannerOfOther.postJson(syncPath(), good)).status).toBe(404)
    expect((await gate.clients.foreignScanner.postJson(syncPath(), good)).status).toBe(404)
    expect((await scansOf(db, gate.event.id)).length).toBe(before)
  })
})
