import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { ASSETS } from '../../src/http/static-assets.ts'
import { STATIC_ROOT } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { codeSentTo, linkSentTo, transferKit } from './transfer-kit.ts'

interface Manifest { cursor: string; full: boolean }
interface Held { entries: Map<string, number[]> }
type Check = {
  mergeManifest(previous: Held | undefined, answer: Manifest): Held
  importKeys(m: Held): Promise<Map<number, CryptoKey>>
  offlineVerdict(lib: unknown, m: Held | undefined, keys: Map<number, CryptoKey>, here: Set<string>, code: string, eventId: string): Promise<{ result: string; reason?: string }>
}

let db: Database
let check: Check
let lib: unknown
beforeAll(async () => {
  db = await openTestDatabase()
  // the very files the scanner page runs
  check = await import(join(STATIC_ROOT, ASSETS.gateCheck)) as Check
  lib = await import(join(STATIC_ROOT, ASSETS.signedCode))
}, 60_000)
afterAll(() => db.destroy())

describe('a transfer at an offline gate', () => {
  it('refuses the old QR once the manifest has synced, from initiation on, and admits only the recipient’s', async () => {
    const kit = await transferKit(db)
    const manifestOf = async (since?: string) =>
      (await kit.gate.clients.manager.get(`/api/v1/events/${kit.gate.event.id}/scanner-manifest${since ? `?since=${since}` : ''}`)).json() as Promise<Manifest>
    const first = await manifestOf()
    let held = check.mergeManifest(undefined, first)
    const keys = await check.importKeys(held)
    const verdict = (code: string) => check.offlineVerdict(lib, held, keys, new Set(), code, kit.gate.event.id)
    expect(await verdict(kit.ticket.code)).toMatchObject({ result: 'valid' })

    const started = await kit.sellerClient.post(`/tickets/${kit.ticket.id}/transfer`, { to: kit.recipient.local })
    const transferId = /\/transfers\/([0-9a-f-]{36})/.exec(started.headers.get('location')!)![1]!
    const afterStart = await manifestOf(first.cursor)
    held = check.mergeManifest(held, afterStart)
    expect(await verdict(kit.ticket.code)).toMatchObject({ result: 'transferred', reason: 'old_version' })

    await kit.sellerClient.post(`/transfers/${transferId}/confirm`, { code: await codeSentTo(db, kit.seller.email!, kit.gate.ring) })
    const link = await linkSentTo(db, kit.recipient.wa, kit.gate.ring)
    await new TestClient(kit.gate.app).post(`/transfers/accept/${link}`, { code: await codeSentTo(db, kit.recipient.wa, kit.gate.ring) })
    held = check.mergeManifest(held, await manifestOf(afterStart.cursor))
    const newCode = (await kit.ticketRow()).qr_code!
    expect(await verdict(newCode)).toMatchObject({ result: 'valid' })
    expect(await verdict(kit.ticket.code)).toMatchObject({ result: 'transferred' })
  })
})
