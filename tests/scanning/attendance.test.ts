import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SCAN_LOG_COLUMNS } from '../../src/scanning/scan-log-csv.ts'
import { openTestDatabase } from '../support/database.ts'
import { createGate, scanBody, sellWithCodes } from './gate-fixtures.ts'

let db: Database
let gate: Awaited<ReturnType<typeof createGate>>
let tickets: Array<{ id: string; code: string }>

beforeAll(async () => {
  db = await openTestDatabase()
  gate = await createGate(db)
  tickets = await sellWithCodes(db, gate.ring, gate.event.id, gate.type.id, 4)
  const scan = (code: string, extra: Record<string, unknown>) => gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans`, scanBody(code, extra))
  await scan(tickets[0]!.code, { gate: 'North', deviceId: 'phone-n' })
  await scan(tickets[0]!.code, { gate: 'South', deviceId: 'phone-s' })
  await scan('T1FORGED', { gate: 'South', deviceId: 'phone-s' })
  // two phones let the same holder in while offline: a double entry
  const at = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString()
  await gate.clients.scanner.postJson(`/api/v1/events/${gate.event.id}/scans/sync`, { scans: [
    { ...scanBody(tickets[1]!.code, { gate: '=HYPERLINK("x")', deviceId: 'phone-a', scannedAt: at(10) }), offlineResult: 'valid' },
  ] })
  await gate.clients.secondScanner.postJson(`/api/v1/events/${gate.event.id}/scans/sync`, { scans: [
    { ...scanBody(tickets[1]!.code, { gate: 'East', deviceId: 'phone-b', scannedAt: at(5) }), offlineResult: 'valid' },
  ] })
}, 60_000)
afterAll(() => db.destroy())

const page = (query = '') => gate.clients.manager.get(`/manage/events/${gate.event.id}/attendance${query}`)

describe('live attendance', () => {
  it('shows admitted of expected, by gate and phone, refusals, and the double entry', async () => {
    const res = await page()
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('2 of 4 admitted')
    expect(html).toContain('2 repeat scans, 1 refused codes')
    expect(html).toContain('1 double entries')
    expect(html).toContain('hx-trigger="every 5s"')
    for (const text of ['North', 'South', 'East', 'phone-n', 'phone-b', tickets[1]!.id.slice(0, 8)]) expect(html).toContain(text)
  })

  it('answers htmx polls with the same page, which htmx narrows to the figures', async () => {
    const res = await gate.clients.manager.get(`/manage/events/${gate.event.id}/attendance`, { 'HX-Request': 'true' })
    expect(res.status).toBe(200)
    expect(res.headers.get('vary')).toContain('HX-Request')
    const html = await res.text()
    expect(html).toContain('id="attendance-figures"')
    expect(html).not.toContain('<html')
  })

  it('filters the scan log and exports it as CSV, with formula-looking cells defused', async () => {
    const filtered = await (await page('?result=duplicate')).text()
    const log = filtered.slice(filtered.indexOf('id="scan-log"'))
    expect(log).toContain('ALREADY USED')
    expect(log).not.toContain('>VALID<')
    const csv = await gate.clients.manager.get(`/manage/events/${gate.event.id}/attendance/scans.csv`)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const lines = (await csv.text()).trim().split('\r\n')
    expect(lines[0]).toBe(SCAN_LOG_COLUMNS.join(','))
    expect(lines).toHaveLength(6)
    expect(lines.some((line) => line.includes(`"'=HYPERLINK(""x"")"`))).toBe(true)
    const onlyEast = (await (await gate.clients.manager.get(`/manage/events/${gate.event.id}/attendance/scans.csv?gate=East`)).text()).trim().split('\r\n')
    expect(onlyEast).toHaveLength(2)
  })

  it('ignores a filter it does not know, and refuses another tenant and scanners', async () => {
    expect((await page('?result=nonsense&gate=' + 'x'.repeat(500))).status).toBe(200)
    expect((await gate.clients.foreignManager.get(`/manage/events/${gate.event.id}/attendance`)).status).toBe(404)
    expect((await gate.clients.foreignManager.get(`/manage/events/${gate.event.id}/attendance/scans.csv`)).status).toBe(404)
    expect((await gate.clients.scanner.get(`/manage/events/${gate.event.id}/attendance`)).status).toBe(403)
    expect((await gate.clients.manager.get('/manage/events/not-a-uuid/attendance')).status).toBe(404)
  })
})
