/** Hostile input to the gate's API: every answer is a clear 4xx or a verdict, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { openTestDatabase } from '../support/database.ts'
import { createGate, scanBody, sellWithCodes } from '../scanning/gate-fixtures.ts'

let db: Database
let gate: Awaited<ReturnType<typeof createGate>>

beforeAll(async () => {
  db = await openTestDatabase()
  gate = await createGate(db)
}, 60_000)
afterAll(() => db.destroy())

describe('the gate API under hostile input', () => {
  it('refuses a manifest cursor past the end of time with a 4xx', async () => {
    const res = await gate.clients.scanner.get(`/api/v1/events/${gate.event.id}/scanner-manifest?since=9999999999999999`)
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request')
  })

  it('answers a scan dated in year 0000 without a 500', async () => {
    const [ticket] = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 1)
    const res = await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans`, scanBody(ticket!.code, { scannedAt: '0000-01-01T00:00:00Z' }))
    expect(res.status).toBeLessThan(500)
  })

  it('answers an offline sync dated in year 0000 without a 500', async () => {
    const [ticket] = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 1)
    const res = await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans/sync`,
      { scans: [{ ...scanBody(ticket!.code, { scannedAt: '0000-01-01T00:00:00Z' }), offlineResult: 'valid' }] })
    expect(res.status).toBeLessThan(500)
  })
})
