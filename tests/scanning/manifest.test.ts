import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { ASSETS } from '../../src/http/static-assets.ts'
import { reissueTicketCode } from '../../src/tickets/issuing.ts'
import { STATIC_ROOT } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent } from '../support/fixtures.ts'
import { createGate, flipBit, scanBody, sellWithCodes } from './gate-fixtures.ts'

interface Manifest { cursor: string; full: boolean; tickets: string; keys: unknown[]; admitted: number; expected: number }
interface Held { entries: Map<string, number[]> }
type Check = {
  mergeManifest(previous: Held | undefined, answer: Manifest): Held
  importKeys(m: Held): Promise<Map<number, CryptoKey>>
  offlineVerdict(lib: unknown, m: Held | undefined, keys: Map<number, CryptoKey>, here: Set<string>, code: string, eventId: string): Promise<{ result: string; reason?: string }>
}

let db: Database
let gate: Awaited<ReturnType<typeof createGate>>
let check: Check
let lib: unknown

beforeAll(async () => {
  db = await openTestDatabase()
  gate = await createGate(db)
  // the very files the scanner page runs
  check = await import(join(STATIC_ROOT, ASSETS.gateCheck)) as Check
  lib = await import(join(STATIC_ROOT, ASSETS.signedCode))
}, 60_000)
afterAll(() => db.destroy())

const manifestOf = async (eventId: string, since?: string) => {
  const res = await gate.clients.manager.get(`/api/v1/events/${eventId}/scanner-manifest${since ? `?since=${since}` : ''}`)
  expect(res.status).toBe(200)
  return res.json() as Promise<Manifest>
}

describe('the scanner manifest and the offline check', () => {
  it('10,000 sold tickets fit in 150 KB gzipped', async () => {
    const { event } = await createEvent(db, gate.tenant.id, { ticketTypes: [{ name: 'Crowd', price_minor: 50_000, capacity: 10_000, sold: 10_000 }] })
    const res = await gate.app.request(`/api/v1/events/${event.id}/scanner-manifest`, {
      headers: { cookie: [...gate.clients.manager.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'accept-encoding': 'gzip' },
    })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    const gzipped = (await res.arrayBuffer()).byteLength
    expect(gzipped).toBeLessThan(150_000)
    const body = await manifestOf(event.id)
    expect(check.mergeManifest(undefined, body).entries.size).toBe(10_000)
  }, 60_000)

  it('checks codes offline as the server does, and refuses a transferred or cancelled ticket once the manifest has synced', async () => {
    const [good, old, cancelled, unpaid, usedElsewhere, mine] = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 6)
    const [otherEvent] = await sellWithCodes(db, gate.ring, gate.other.event.id, gate.other.ticketTypes[0]!.id, 1)
    await gate.clients.secondScanner.postJson(`/api/v1/events/${gate.event.id}/scans`, scanBody(usedElsewhere!.code))
    // what changed an hour ago is in the phone's first manifest, and in no delta after it
    await asSystem(db, (trx) => sql`update tickets set gate_changed_at = now() - interval '1 hour' where event_id = ${gate.event.id}`.execute(trx))
    const first = await manifestOf(gate.event.id)
    expect(first.full).toBe(true)
    let held = check.mergeManifest(undefined, first)
    const keys = await check.importKeys(held)
    const here = new Set([mine!.id])
    const verdict = (code: string) => check.offlineVerdict(lib, held, keys, here, code, gate.event.id)
    // before the changes reach the phone, the old code and the cancelled ticket still look fine
    expect(await verdict(old!.code)).toMatchObject({ result: 'valid' })

    await reissueTicketCode(db, gate.ring, old!.id, new Date())
    await asSystem(db, async (trx) => {
      await trx.updateTable('tickets').set({ status: 'cancelled' }).where('id', '=', cancelled!.id).execute()
      await trx.updateTable('tickets').set({ status: 'pending_payment' }).where('id', '=', unpaid!.id).execute()
    })
    const delta = await manifestOf(gate.event.id, first.cursor)
    expect(delta.full).toBe(false)
    // a delta carries what changed (and a margin of recent changes), not the whole list
    expect([...check.mergeManifest(undefined, { ...delta, full: true }).entries.keys()].sort())
      .toEqual([old!.id, cancelled!.id, unpaid!.id].map((id) => id.replace(/-/g, '').slice(0, 16)).sort())
    held = check.mergeManifest(held, delta)

    const cases: Array<[string, string, Record<string, unknown>]> = [
      ['good', good!.code, { result: 'valid' }],
      ['old version', old!.code, { result: 'transferred', reason: 'old_version' }],
      ['cancelled', cancelled!.code, { result: 'cancelled', reason: 'cancelled' }],
      ['unpaid', unpaid!.code, { result: 'unpaid', reason: 'not_paid' }],
      ['admitted at another gate', usedElsewhere!.code, { result: 'duplicate' }],
      ['admitted by this phone offline', mine!.code, { result: 'duplicate' }],
      ['forged signature', flipBit(good!.code, 70), { result: 'invalid', reason: 'forged' }],
      ['bit-flipped payload', flipBit(good!.code, 5), { result: 'invalid', reason: 'forged' }],
      ['truncated', good!.code.slice(0, 150), { result: 'invalid', reason: 'malformed' }],
      ['other event', otherEvent!.code, { result: 'invalid', reason: 'other_event' }],
    ]
    for (const [name, code, expected] of cases) expect(await verdict(code), name).toMatchObject(expected)
    // a phone without WebCrypto Ed25519 verifies through @noble/curves, with the same verdicts
    const fallback = await import(join(STATIC_ROOT, ASSETS.ed25519)) as { install(): () => void }
    const uninstall = fallback.install()
    try {
      const nobleKeys = await check.importKeys(held)
      expect([...nobleKeys.values()][0]).not.toBeInstanceOf(CryptoKey)
      for (const [name, code, expected] of cases) {
        expect(await check.offlineVerdict(lib, held, nobleKeys, here, code, gate.event.id), `${name} (@noble/curves)`).toMatchObject(expected)
      }
    } finally {
      uninstall()
    }
    // and the server agrees on each
    for (const [name, code, expected] of cases.filter(([name]) => !name.includes('this phone'))) {
      const res = await gate.clients.manager.postJson(`/api/v1/events/${gate.event.id}/scans`, scanBody(code))
      expect(await res.json(), name).toMatchObject(expected)
    }
  })

  it('refuses a malformed cursor with 422', async () => {
    const res = await gate.clients.scanner.get(`/api/v1/events/${gate.event.id}/scanner-manifest?since=yesterday`)
    expect(res.status).toBe(422)
  })
})
