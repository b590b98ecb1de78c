/**
 * The dashboards and the exports through the routes: each export opens (the CSV round-trips through a
 * parser, the XLSX unzips with its rows in the sheet XML, the PDF parses with its pages), the figures
 * on the page are the database's, one tenant never sees another's rows, and bad input is a clear 4xx.
 */
import { unzipSync, strFromU8 } from 'fflate'
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { formatMoney } from '../../src/i18n/format.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, createUser, DAY, TEST_PASSWORD } from '../support/fixtures.ts'
import { placeOrder, scan } from '../support/sales.ts'

const NOW = new Date('2026-03-05T12:00:00Z')
const HOUR = 3600_000

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let managerA: TestClient
let managerB: TestClient
let admin: TestClient
let eventA: Awaited<ReturnType<typeof createEvent>>
let eventB: Awaited<ReturnType<typeof createEvent>>
const NAME_A = 'Wanjiru Kamau'
const NAME_UNICODE = 'ሰላም Amani'
const NAME_B = 'Otieno From B'

async function signIn(account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

/** RFC 4180 with quotes and CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(cell); cell = '' }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++ }
    else cell += ch
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row) }
  return rows
}

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db, { now: () => NOW }))
  const tenantA = await createTenant(db)
  const tenantB = await createTenant(db)
  eventA = await createEvent(db, tenantA.id, { startsAt: new Date(NOW.getTime() - 2 * HOUR), title: 'Sauti Night', ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 30 }] })
  eventB = await createEvent(db, tenantB.id, { startsAt: new Date(NOW.getTime() + 3 * DAY), title: 'Other Organiser Show' })
  const scanner = await createUser(db, { role: 'scanner' })
  const named = async (name: string) => asSystem(db, (trx) => trx.insertInto('users').values({
    email: `${crypto.randomUUID()}@example.test`, name, role: 'user', phone: '254712345678',
  }).returning('id').executeTakeFirstOrThrow())
  const buyerA = await named(NAME_A)
  const buyerU = await named(NAME_UNICODE)
  const buyerB = await named(NAME_B)
  const type = eventA.ticketTypes[0]!
  const o1 = await placeOrder(db, { tenantId: tenantA.id, eventId: eventA.event.id, typeId: type.id, quantity: 2, unitMinor: 150_000, status: 'completed', at: new Date(NOW.getTime() - 30 * HOUR), userId: buyerA.id })
  await placeOrder(db, { tenantId: tenantA.id, eventId: eventA.event.id, typeId: type.id, quantity: 1, unitMinor: 150_000, status: 'completed', at: new Date(NOW.getTime() - 5 * HOUR), userId: buyerU.id })
  await placeOrder(db, { tenantId: tenantA.id, eventId: eventA.event.id, typeId: type.id, quantity: 1, unitMinor: 150_000, status: 'refunded', at: new Date(NOW.getTime() - 4 * HOUR) })
  await placeOrder(db, { tenantId: tenantA.id, eventId: eventA.event.id, typeId: type.id, quantity: 1, unitMinor: 150_000, status: 'failed', at: new Date(NOW.getTime() - 3 * HOUR), resultCode: 1032 })
  await scan(db, { tenantId: tenantA.id, eventId: eventA.event.id, ticketId: o1.ticketIds[0]!, scannerId: scanner.id, at: new Date(NOW.getTime() - HOUR) })
  await placeOrder(db, { tenantId: tenantB.id, eventId: eventB.event.id, typeId: eventB.ticketTypes[0]!.id, quantity: 4, unitMinor: 150_000, status: 'completed', at: new Date(NOW.getTime() - 2 * HOUR), userId: buyerB.id })
  managerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }))
  managerB = await signIn(await createAccount(db, { tenantId: tenantB.id, membership: 'manager' }))
  admin = await signIn(await createAccount(db, { role: 'super_admin' }))
}, 120_000)
afterAll(() => db?.destroy())

const figuresOf = (html: string) => Object.fromEntries([...html.matchAll(/<dd data-figure="(\w[\w-]*)">([^<]*)<\/dd>/g)].map((m) => [m[1]!, m[2]!]))
const money = (minor: number) => formatMoney(minor, 'KES', 'en')

describe('the organiser dashboard', () => {
  it('shows the figures, the SVG charts with their tables, and the events on /manage', async () => {
    const res = await managerA.get('/manage')
    expect(res.status).toBe(200)
    const html = await res.text()
    const figures = figuresOf(html)
    const gross = 3 * 150_000
    const commission = 15_000 + 7_500 // 5% of the two completed orders
    expect(figures).toMatchObject({ sold: '3 of 30', gross: money(gross), commission: money(commission), net: money(gross - commission), refunded: money(150_000) })
    expect(html).toContain('<svg viewBox=')
    expect(html).toContain('id="chart-hourly"')
    expect(html).toContain('<details class="chart-data">')
    expect(html).toContain('Sauti Night')
    expect(html).not.toContain('Other Organiser Show')
    expect(html).toContain('/manage/staff') // the portal's links stay
  })

  it('answers an htmx request with the fragment, and an event dashboard with its check-ins', async () => {
    const res = await managerA.get(`/manage/events/${eventA.event.id}/dashboard`, { 'HX-Request': 'true' })
    expect(res.status).toBe(200)
    expect(res.headers.get('vary')).toContain('HX-Request')
    const html = await res.text()
    expect(html).not.toContain('<html')
    expect(figuresOf(html)).toMatchObject({ admitted: '1', noShows: '2' })
  })

  it('refuses another tenant’s event and bad filters with a clear 4xx', async () => {
    expect((await managerB.get(`/manage/events/${eventA.event.id}/dashboard`)).status).toBe(404)
    expect((await managerB.get(`/manage?event=${eventA.event.id}`)).status).toBe(404)
    const reversed = await managerA.get('/manage?from=2026-03-09&to=2026-03-01')
    expect(reversed.status).toBe(400)
    expect(await reversed.text()).toContain('The start of the date range must come before its end.')
    expect((await managerA.get('/manage?from=2019-01-01&to=2026-01-01')).status).toBe(400)
    expect((await managerA.get('/manage?from=2026-13-01')).status).toBe(400)
    expect((await managerA.get('/manage/events/not-a-uuid/dashboard')).status).toBe(404)
  })
})

describe('exports', () => {
  it('streams CSV with a BOM, Nairobi time and decimals, that a CSV parser reads back', async () => {
    const res = await managerA.get(`/manage/exports/orders.csv?event=${eventA.event.id}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="orders-2026-03-05.csv"/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const rows = parseCsv(new TextDecoder().decode(bytes.slice(3)))
    expect(rows[0]).toEqual(['Created (Nairobi)', 'Paid (Nairobi)', 'Event', 'Kind', 'Status', 'Tickets', 'Amount (KES)', 'Commission (KES)', 'Net (KES)', 'M-Pesa receipt', 'Phone', 'Buyer'])
    expect(rows).toHaveLength(1 + 4)
    const first = rows.find((row) => row[11] === NAME_A)!
    // 30 hours before 12:00 UTC is 06:00 UTC the day before: 09:00 in Nairobi
    expect(first.slice(0, 9)).toEqual(['2026-03-04 09:00:00', '2026-03-04 09:01:00', 'Sauti Night', 'purchase', 'completed', '2', '3000.00', '150.00', '2850.00'])
    const refunded = rows.find((row) => row[4] === 'refunded')!
    expect(refunded.slice(7, 9)).toEqual(['0.00', '0.00'])
    expect(rows.flat().join(' ')).not.toContain(NAME_B)
  })

  it('writes XLSX with typed cells, a header row and a frozen pane', async () => {
    const res = await managerA.get('/manage/exports/attendees.xlsx')
    expect(res.status).toBe(200)
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()))
    const sheet = strFromU8(files['xl/worksheets/sheet1.xml']!)
    expect(sheet).toContain('<pane')
    expect(sheet).toContain('state="frozen"')
    const strings = strFromU8(files['xl/sharedStrings.xml'] ?? new Uint8Array())
    expect(sheet + strings).toContain(NAME_A)
    expect(sheet + strings).not.toContain(NAME_B)
    expect((sheet.match(/<row /g) ?? []).length).toBe(1 + 3)
    // the price is a number cell (no t="s"), 1500 KES
    expect(sheet).toMatch(/<c r="H2"[^>]*><v>1500<\/v><\/c>/)
  })

  it('writes a PDF table, embedding a Unicode font for names beyond WinAnsi', async () => {
    const res = await managerA.get('/manage/exports/attendees.pdf')
    expect(res.status).toBe(200)
    const bytes = new Uint8Array(await res.arrayBuffer())
    const doc = await PDFDocument.load(bytes)
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1)
    const fontNames = doc.context.enumerateIndirectObjects()
      .map(([, object]) => (object instanceof PDFDict ? object : undefined))
      .filter((dict) => dict?.get(PDFName.of('Type')) === PDFName.of('FontDescriptor') && dict.has(PDFName.of('FontFile2')))
      .map((dict) => String(dict!.get(PDFName.of('FontName'))))
    expect(fontNames.some((name) => name.includes('DejaVuSans'))).toBe(true)
  })

  it('prints the check-in list and the summary report', async () => {
    const list = await managerA.get(`/manage/exports/checkin-list.pdf?event=${eventA.event.id}`)
    expect(list.status).toBe(200)
    expect((await PDFDocument.load(new Uint8Array(await list.arrayBuffer()))).getPageCount()).toBe(1)
    expect((await managerA.get('/manage/exports/checkin-list.pdf')).status).toBe(400)
    const summary = await managerA.get(`/manage/exports/summary.pdf?event=${eventA.event.id}`)
    expect(summary.status).toBe(200)
    const doc = await PDFDocument.load(new Uint8Array(await summary.arrayBuffer()))
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1)
    expect(doc.getTitle()).toContain('Sauti Night')
  })

  it('refuses unknown datasets, formats and columns, and another tenant’s event', async () => {
    expect((await managerA.get('/manage/exports/secrets.csv')).status).toBe(404)
    expect((await managerA.get('/manage/exports/orders.docx')).status).toBe(404)
    const columns = await managerA.get('/manage/exports/orders.csv?columns=amount,password')
    expect(columns.status).toBe(400)
    expect(await columns.text()).toContain('Unknown columns for this dataset: password.')
    expect((await managerB.get(`/manage/exports/attendees.csv?event=${eventA.event.id}`)).status).toBe(404)
    const onlyB = await (await managerB.get('/manage/exports/attendees.csv')).text()
    expect(onlyB).toContain(NAME_B)
    expect(onlyB).not.toContain(NAME_A)
  })

  it.each(['orders', 'attendees', 'checkins', 'transfers', 'payouts'])('gives another tenant none of A’s %s, in CSV or XLSX', async (dataset) => {
    const csv = await (await managerB.get(`/manage/exports/${dataset}.csv`)).text()
    expect(csv).not.toContain('Sauti Night')
    expect(csv).not.toContain(NAME_A)
    const files = unzipSync(new Uint8Array(await (await managerB.get(`/manage/exports/${dataset}.xlsx`)).arrayBuffer()))
    const text = Object.values(files).map((bytes) => strFromU8(bytes)).join('')
    expect(text).not.toContain('Sauti Night')
    expect(text).not.toContain(NAME_A)
    // and A's own export has them (the check can fail)
    if (dataset === 'orders' || dataset === 'payouts') expect(await (await managerA.get(`/manage/exports/${dataset}.csv`)).text()).toContain('Sauti Night')
  })

  it('picks the columns asked for, in the dataset’s order', async () => {
    const rows = parseCsv((await (await managerA.get('/manage/exports/orders.csv?columns=net,event')).text()))
    expect(rows[0]).toEqual(['Event', 'Net (KES)'])
  })
})

describe('the platform dashboard', () => {
  it('shows GMV, commission and refunds across tenants, and the same exports', async () => {
    const res = await admin.get('/admin/dashboard')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('Sauti Night')
    expect(html).toContain('Other Organiser Show')
    expect(html).toContain('id="tenants-table"')
    const csv = await (await admin.get('/admin/exports/attendees.csv')).text()
    expect(csv).toContain(NAME_A)
    expect(csv).toContain(NAME_B)
    expect((await managerA.get('/admin/dashboard')).status).toBe(403)
    expect((await managerA.get('/admin/exports/orders.csv')).status).toBe(403)
  })
})
