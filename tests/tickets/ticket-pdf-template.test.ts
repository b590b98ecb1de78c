/**
 * The ticket template in the portal: the guide states the page size and draws the zones the PDF
 * renderer uses, a manager uploads a background (checked by its bytes; refused files store nothing),
 * previews a sample ticket on it and removes it. Another tenant's manager gets 404 for all of it, and
 * scanners 403; the text of every ticket lands inside the documented zones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { issueTickets } from '../../src/tickets/issuing.ts'
import { TICKET_PAGE, TICKET_ZONES } from '../../src/tickets/pdf-layout.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { fileOf, postMultipart } from '../support/multipart.ts'
import { pageOperators, readPdf } from '../support/pdf-text.ts'

const MB = 1024 * 1024
// A valid 1×1 PNG.
const PNG = new Uint8Array(Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'))
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** The PNG signature, then junk: forged magic bytes. */
const FORGED_PNG = new Uint8Array([...PNG_SIGNATURE, ...new TextEncoder().encode('this is not an image, only its first eight bytes are')])
const GIF = new Uint8Array([...new TextEncoder().encode('GIF89a'), 1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x21, 0xf9, 4, 1, 0, 0, 0, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b])
const HTML = new TextEncoder().encode('<html><script>alert(1)</script></html>')

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let ring: KeyRing
let tenantIds: string[]

beforeAll(async () => {
  db = await openTestDatabase()
  ring = await parseKeyRing(newKeyEntry('k1'))
  ;({ app } = createTestApp(db, { deps: { secretKeys: ring } }))
})
afterAll(() => db.destroy())

async function signIn(account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

/** Two organisers: A's event (with a paid ticket of a buyer), A's manager and scanner, and B's manager. */
async function setting() {
  const tenantA = await createTenant(db, { name: 'Sauti Live Ltd' })
  const tenantB = await createTenant(db, { name: 'Pwani Events' })
  tenantIds = [tenantA.id, tenantB.id]
  const { event, ticketTypes } = await createEvent(db, tenantA.id, { title: 'Sauti za Pwani' })
  const managerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }))
  const scannerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'scanner' }))
  const managerB = await signIn(await createAccount(db, { tenantId: tenantB.id, membership: 'manager' }))
  const buyer = await signIn(await createAccount(db))
  const location = (await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '1' })).headers.get('location')!
  const [ticketId] = await issueTickets(db, ring, location.split('/').pop()!, new Date())
  return { event, managerA, scannerA, managerB, buyer, ticketId: ticketId! }
}

const templateUrl = (eventId: string) => asSystem(db, async (trx) =>
  (await trx.selectFrom('events').select('ticket_template_url').where('id', '=', eventId).executeTakeFirstOrThrow()).ticket_template_url)
const blobCount = () => asSystem(db, async (trx) => (await trx.selectFrom('blobs').select('id').where('tenant_id', 'in', tenantIds).execute()).length)
const upload = (client: TestClient, eventId: string, file: File) =>
  postMultipart(app, client, `/manage/events/${eventId}/template`, { back: 'guide', file })
const latin1 = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes)

describe('the template guide', () => {
  it('states the A6 page in mm, points and pixels and draws the renderer’s zones, with the preview and the upload form', async () => {
    const { event, managerA } = await setting()
    const res = await managerA.get(`/manage/events/${event.id}/template`)
    expect(res.status).toBe(200)
    const page = await res.text()
    expect(page).toContain('Page: A6 portrait, 105.1 × 148.2 mm (298 × 420 points). For a background image use 1242 × 1750 pixels (300 dpi)')
    expect(page).toContain(`viewBox="0 0 ${TICKET_PAGE.width} ${TICKET_PAGE.height}"`)
    for (const [name, zone] of Object.entries(TICKET_ZONES)) {
      expect(page).toMatch(new RegExp(`<g data-zone="${name}"><rect x="${zone.x}" y="${zone.y}" width="${zone.width}" height="${zone.height}"`))
    }
    expect(page).toContain('QR code (on a white square): 20.8 mm from the left, 38.8 mm from the top, 63.5 × 63.5 mm (750 × 750 pixels at 300 dpi).')
    expect(page).toContain('No template yet')
    expect(page).toContain(`href="/manage/events/${event.id}/template/sample.pdf"`)
    expect(page).toContain('name="back" value="guide"')
    expect(page).not.toContain('template/remove') // nothing to remove yet
    // the diagram uses presentation attributes only: the Content-Security-Policy allows no style attributes
    expect(page).not.toMatch(/<(svg|rect|g|text|image)[^>]* style=/)
    expect(await (await managerA.get(`/manage/events/${event.id}`)).text()).toContain(`href="/manage/events/${event.id}/template"`)
  })

  it('speaks Swahili', async () => {
    const { event, managerA } = await setting()
    const page = await (await managerA.get(`/manage/events/${event.id}/template?lang=sw`)).text()
    expect(page).toContain('Ukurasa: A6 wima, mm 105.1 × 148.2')
    expect(page).toContain('Angalia tiketi ya mfano (PDF)')
  })
})

describe('uploading, previewing and removing a template', () => {
  it('stores a PNG for the tenant, shows it in the diagram, prints tickets and the sample on it, and removes it', async () => {
    const { event, managerA, buyer, ticketId } = await setting()
    const res = await upload(managerA, event.id, fileOf(PNG, 'ticket.png', 'image/png'))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/manage/events/${event.id}/template?notice=uploaded`)
    const url = await templateUrl(event.id)
    const blob = await asSystem(db, (trx) => trx.selectFrom('blobs').select(['tenant_id', 'is_public', 'purpose'])
      .where('id', '=', url!.slice('/media/'.length)).executeTakeFirstOrThrow())
    expect(blob).toEqual({ tenant_id: tenantIds[0], is_public: false, purpose: 'ticket_template' })

    const guide = await (await managerA.get(res.headers.get('location')!)).text()
    expect(guide).toContain('Uploaded.')
    expect(guide).toContain('printed on the uploaded template')
    expect(guide).toContain(`<image href="${url}"`)

    const sample = await managerA.get(`/manage/events/${event.id}/template/sample.pdf`)
    expect(sample.status).toBe(200)
    expect(sample.headers.get('content-type')).toBe('application/pdf')
    const sampleBytes = new Uint8Array(await sample.arrayBuffer())
    expect(latin1(sampleBytes)).toContain('/Subtype /Image')
    const [samplePage] = await readPdf(sampleBytes)
    expect(samplePage!.lines).toEqual(expect.arrayContaining(['Sauti za Pwani', 'Regular', 'Holder: Amina Wanjiru', 'Price paid: KES 1,500',
      'Organiser: Sauti Live Ltd', 'SAMPLE, not valid for entry #SAMPLE00']))

    const ticket = new Uint8Array(await (await buyer.get(`/tickets/${ticketId}/pdf`)).arrayBuffer())
    expect(latin1(ticket)).toContain('/Subtype /Image')

    const removed = await managerA.post(`/manage/events/${event.id}/template/remove`)
    expect(removed.status).toBe(303)
    expect(removed.headers.get('location')).toBe(`/manage/events/${event.id}/template?notice=removed`)
    expect(await templateUrl(event.id)).toBeNull()
    expect(await (await managerA.get(removed.headers.get('location')!)).text()).toContain('Template removed')
    const plain = new Uint8Array(await (await buyer.get(`/tickets/${ticketId}/pdf`)).arrayBuffer())
    expect(latin1(plain)).not.toContain('/Subtype /Image')
  })

  it.each([
    ['a GIF (a type not accepted)', () => fileOf(GIF, 'ticket.gif', 'image/gif'), 415, 'That file type is not accepted here.'],
    ['HTML named ticket.png', () => fileOf(HTML, 'ticket.png', 'image/png'), 415, 'That file type is not accepted here.'],
    ['forged PNG magic bytes', () => fileOf(FORGED_PNG, 'ticket.png', 'image/png'), 422, 'That image could not be read'],
    ['a PNG-signed file over 5 MB', () => { const big = new Uint8Array(5 * MB + 1); big.set(PNG_SIGNATURE); return fileOf(big, 'big.png', 'image/png') }, 413, 'That file is too large: the limit is 5 MB.'],
    ['an empty file', () => fileOf(new Uint8Array(0), 'empty.png', 'image/png'), 422, 'Choose a file to upload.'],
  ] as const)('refuses %s with a 4xx on the guide, storing nothing', async (_name, file, status, message) => {
    const { event, managerA } = await setting()
    expect((await upload(managerA, event.id, fileOf(PNG, 'ticket.png', 'image/png'))).status).toBe(303)
    const [before, blobs] = [await templateUrl(event.id), await blobCount()]
    const res = await upload(managerA, event.id, file())
    expect(res.status).toBe(status)
    const page = await res.text()
    expect(page).toContain(message)
    expect(page).toContain('Where the QR and the text land') // the guide again, with its form
    expect(await blobCount()).toBe(blobs)
    expect(await templateUrl(event.id)).toBe(before)
  })
})

describe('who may', () => {
  it('refuses another tenant’s manager with 404 everywhere, changing nothing', async () => {
    const { event, managerA, managerB } = await setting()
    expect((await upload(managerA, event.id, fileOf(PNG, 'ticket.png', 'image/png'))).status).toBe(303)
    const [before, blobs] = [await templateUrl(event.id), await blobCount()]
    expect((await managerB.get(`/manage/events/${event.id}/template`)).status).toBe(404)
    expect((await managerB.get(`/manage/events/${event.id}/template/sample.pdf`)).status).toBe(404)
    expect((await managerB.post(`/manage/events/${event.id}/template/remove`)).status).toBe(404)
    expect((await upload(managerB, event.id, fileOf(PNG, 'mine.png', 'image/png'))).status).toBe(404)
    expect((await managerB.get(before!)).status).toBe(404)
    expect(await templateUrl(event.id)).toBe(before)
    expect(await blobCount()).toBe(blobs)
  })

  it('refuses scanners (403), buyers (403) and anonymous visitors (to sign in)', async () => {
    const { event, scannerA, buyer } = await setting()
    for (const client of [scannerA, buyer]) {
      expect((await client.get(`/manage/events/${event.id}/template`)).status).toBe(403)
      expect((await client.get(`/manage/events/${event.id}/template/sample.pdf`)).status).toBe(403)
      expect((await client.post(`/manage/events/${event.id}/template/remove`)).status).toBe(403)
    }
    const anonymous = await app.request(`/manage/events/${event.id}/template`)
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toContain('/login')
  })
})

describe('the layout', () => {
  it('puts every line of text of a ticket inside the documented zones', async () => {
    const { buyer, ticketId } = await setting()
    const [ops] = await pageOperators(new Uint8Array(await (await buyer.get(`/tickets/${ticketId}/pdf`)).arrayBuffer()))
    const origins = [...ops!.matchAll(/1 0 0 1 ([\d.]+) ([\d.]+) Tm/g)].map(([, x, y]) => ({ x: Number(x), top: TICKET_PAGE.height - Number(y) }))
    expect(origins.length).toBeGreaterThanOrEqual(8)
    const inside = (point: { x: number; top: number }) => [TICKET_ZONES.details, TICKET_ZONES.holder].some((zone) =>
      point.x >= zone.x && point.x <= zone.x + zone.width && point.top >= zone.y && point.top <= zone.y + zone.height)
    expect(origins.filter((point) => !inside(point))).toEqual([])
  })
})
