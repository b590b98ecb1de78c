/**
 * Bodies too large to be real: the providers' webhooks (reachable by anyone) and the gate's offline
 * upload refuse them with a 413 before reading them whole, and nothing changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { createGate } from '../scanning/gate-fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let gate: Awaited<ReturnType<typeof createGate>>
const big = (bytes: number) => JSON.stringify({ type: 'email.delivered', data: { email_id: 'x', pad: 'a'.repeat(bytes) } })

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db, { deps: { webhookSecrets: { resend: 'whsec_' + Buffer.from('k'.repeat(24)).toString('base64'), waha: 'waha-secret' } } }))
  gate = await createGate(db)
}, 60_000)
afterAll(() => db.destroy())

describe('body limits', () => {
  for (const path of ['/webhooks/resend', '/webhooks/waha']) {
    it(`${path} refuses a 2 MB body with a 413`, async () => {
      const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big(2 * 1024 * 1024) })
      expect(res.status).toBe(413)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large')
    })
    it(`${path} still reads a normal body (and refuses its missing signature)`, async () => {
      const res = await app.request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big(1000) })
      expect(res.status).toBe(401)
    })
  }

  it('the offline upload refuses a body far larger than 500 scans with a 413, recording nothing', async () => {
    const scan = { code: 'A'.repeat(400), scanId: crypto.randomUUID(), scannedAt: new Date().toISOString(), deviceId: 'p1', offlineResult: 'valid' }
    const body = JSON.stringify({ scans: Array.from({ length: 4000 }, () => ({ ...scan, scanId: crypto.randomUUID() })) })
    expect(body.length).toBeGreaterThan(1024 * 1024)
    const res = await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans/sync`, JSON.parse(body))
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('body_too_large')
  })
})
