import QRCode from 'qrcode'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import type { BlobContentType } from '../../src/db/schema.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { issueTickets } from '../../src/tickets/issuing.ts'
import { qrModules, qrSvg } from '../../src/tickets/qr-svg.ts'
import { createApp } from '../../src/app.ts'
import { sharedDatabase } from '../../src/db/database.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { pdfBomb, pdfObjectStreamBomb } from '../support/pdf.ts'
import { pngBomb } from '../support/png.ts'

let db: Database
let ring: KeyRing
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  db = await openTestDatabase()
  ring = await parseKeyRing(newKeyEntry('k1'))
  app = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), secretKeys: ring, log: () => {} })
})
afterAll(() => db.destroy())


/**
 * A guest with two paid tickets of a new event whose ticket template is `bytes`, stored straight into
 * the blobs table as an older app version (before today's upload checks) would have stored it.
 */
async function guestWithTicketsOn(app: ReturnType<typeof createApp>, contentType: BlobContentType, bytes: Uint8Array) {
  const tenant = await createTenant(db)
  const { event, ticketTypes } = await createEvent(db, tenant.id)
  await asSystem(db, async (trx) => {
    const blob = await trx.insertInto('blobs').values({
      tenant_id: tenant.id, purpose: 'ticket_template', content_type: contentType, byte_size: bytes.byteLength,
      sha256: 'x'.repeat(64), data: bytes, is_public: false,
    }).returning('id').executeTakeFirstOrThrow()
    await trx.updateTable('events').set({ ticket_template_url: `/media/${blob.id}` }).where('id', '=', event.id).execute()
  })
  const guest = new TestClient(app)
  const location = (await guest.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '2' })).headers.get('location')!
  await issueTickets(db, ring, location.split('/').pop()!, new Date())
  return { guest, location }
}

describe('the QR drawing', () => {
  it('draws the same modules the encoder made, at version 7 or lower for a signed code', () => {
    const code = `T1${'A'.repeat(167)}`
    const { size, version, dark } = qrModules(code)
    expect(version).toBeLessThanOrEqual(7)
    const reference = QRCode.create(code, { errorCorrectionLevel: 'M' })
    expect(size).toBe(reference.modules.size)
    let differences = 0
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (dark(x, y) !== (reference.modules.get(y, x) === 1)) differences++
    expect(differences).toBe(0)
    const svg = qrSvg(code, 'Ticket <VIP>')
    expect(svg).toContain(`viewBox="0 0 ${size + 8} ${size + 8}"`)
    expect(svg).toContain('aria-label="Ticket &#60;VIP&#62;"')
  })
})

describe('seeing tickets', () => {
  it('shows a signed-in buyer their paid tickets with a QR each; nobody else sees them', async () => {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id)
    const buyerAccount = await createAccount(db)
    const buyer = new TestClient(app)
    await buyer.post('/login', { email: buyerAccount.email!, password: TEST_PASSWORD })
    const hold = await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '2' })
    const location = hold.headers.get('location')!
    await issueTickets(db, ring, location.split('/').pop()!, new Date())

    const paid = await (await buyer.get(location)).text()
    expect(paid).toContain('Your tickets')
    expect(paid.match(/<svg /g)).toHaveLength(2)
    const mine = await (await buyer.get('/tickets')).text()
    expect(mine.match(/<svg /g)).toHaveLength(2)
    expect(mine).toContain(event.title)
    expect(mine).toContain('Each code admits once.')

    const other = new TestClient(app)
    await other.post('/login', { email: (await createAccount(db)).email!, password: TEST_PASSWORD })
    expect(await (await other.get('/tickets')).text()).toContain('No tickets yet.')
    expect((await other.get(location)).status).toBe(404)
    const owners = await asSystem(db, (trx) => trx.selectFrom('tickets').select('user_id').where('reservation_id', '=', location.split('/').pop()!).execute())
    expect(owners.map((row) => row.user_id)).toEqual([buyerAccount.id, buyerAccount.id])
  })

  it('sends anonymous visitors to sign in', async () => {
    expect((await app.request('/tickets')).headers.get('location')).toBe('/login?next=%2Ftickets')
  })
})

describe('PDF tickets', () => {
  async function paidByGuest() {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id)
    const guest = new TestClient(app)
    const location = (await guest.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '2' })).headers.get('location')!
    return { guest, location, event }
  }

  it('gives the holder a PDF with one page per ticket, only once paid, and nobody else', async () => {
    const { guest, location } = await paidByGuest()
    expect((await guest.get(`${location}/tickets.pdf`)).status).toBe(404) // held, not paid
    await issueTickets(db, ring, location.split('/').pop()!, new Date())
    const res = await guest.get(`${location}/tickets.pdf`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/pdf')
    expect(res.headers.get('content-disposition')).toContain('attachment')
    const { PDFDocument } = await import('pdf-lib')
    expect((await PDFDocument.load(new Uint8Array(await res.arrayBuffer()))).getPageCount()).toBe(2)
    expect((await new TestClient(app).get(`${location}/tickets.pdf`)).status).toBe(404)
    expect(await (await guest.get(location)).text()).toContain('Download PDF')
  })

  it('gives a signed-in owner one ticket’s PDF, and refuses everyone else', async () => {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id)
    const owner = new TestClient(app)
    await owner.post('/login', { email: (await createAccount(db)).email!, password: TEST_PASSWORD })
    const location = (await owner.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '1' })).headers.get('location')!
    const [ticketId] = await issueTickets(db, ring, location.split('/').pop()!, new Date())
    expect((await owner.get(`/tickets/${ticketId}/pdf`)).status).toBe(200)
    const stranger = new TestClient(app)
    await stranger.post('/login', { email: (await createAccount(db)).email!, password: TEST_PASSWORD })
    expect((await stranger.get(`/tickets/${ticketId}/pdf`)).status).toBe(404)
    expect((await stranger.get('/tickets/not-a-uuid/pdf')).status).toBe(404)
  })

  it('draws tickets on the event’s template, an image or a one-page PDF', async () => {
    const { PDFDocument } = await import('pdf-lib')
    const { ticketsPdf } = await import('../../src/tickets/pdf.ts')
    const ticket = { code: `T1${'B'.repeat(167)}`, eventTitle: 'Sauti — Nairobi 🎶', typeName: 'VIP', when: 'Sat', where: 'KICC', ticketId: crypto.randomUUID(), price: 'KES 1,500', organiser: 'Sauti Live' }
    const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (ch) => ch.charCodeAt(0))
    const onImage = await ticketsPdf([ticket], { contentType: 'image/png', bytes: png })
    expect(new TextDecoder('latin1').decode(onImage)).toContain('/Subtype /Image')
    const templateDoc = await PDFDocument.create()
    templateDoc.addPage([298, 420]).drawText('Sauti za Pwani', { x: 20, y: 380 })
    const onPdf = await ticketsPdf([ticket, ticket], { contentType: 'application/pdf', bytes: new Uint8Array(await templateDoc.save()) })
    const parsed = await PDFDocument.load(onPdf)
    expect(parsed.getPageCount()).toBe(2)
    expect(new TextDecoder('latin1').decode(onPdf)).toContain('/Subtype /Form')
    const blank = await PDFDocument.create()
    blank.addPage([298, 420])
    const onBlank = await ticketsPdf([ticket], { contentType: 'application/pdf', bytes: new Uint8Array(await blank.save()) })
    expect((await PDFDocument.load(onBlank)).getPageCount()).toBe(1)
  })

  it('falls back to plain tickets when the stored template is an 8000×8000 PNG bomb, never handing it to pdf-lib', async () => {
    const { PDFDocument } = await import('pdf-lib')
    const lines: string[] = []
    const logged = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), secretKeys: ring, log: (line) => lines.push(line) })
    const bomb = await pngBomb(8000, 8000)
    // stored as the app stored it before the pixel limit: 187 KB that pdf-lib would spend seconds and GBs on
    const { guest, location } = await guestWithTicketsOn(logged, 'image/png', bomb)
    const embedPng = vi.spyOn(PDFDocument.prototype, 'embedPng')
    try {
      const res = await guest.get(`${location}/tickets.pdf`)
      expect(res.status).toBe(200)
      expect((await PDFDocument.load(new Uint8Array(await res.arrayBuffer()))).getPageCount()).toBe(2)
      expect(embedPng).not.toHaveBeenCalled()
    } finally {
      embedPng.mockRestore()
    }
    expect(lines.filter((line) => line.includes('"note":"ticket_template_unusable"'))).toHaveLength(1)
  })

  it('falls back to plain tickets when the stored template is a PDF whose page content is a 200 MB FlateDecode bomb, never embedding it', async () => {
    const { PDFDocument } = await import('pdf-lib')
    const lines: string[] = []
    const logged = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), secretKeys: ring, log: (line) => lines.push(line) })
    const bomb = await pdfBomb()
    // stored as the app stored it before the content limit: a few hundred KB that embedding would inflate to 200 MB
    const { guest, location } = await guestWithTicketsOn(logged, 'application/pdf', bomb)
    // were the bomb embedded it would inflate 200 MB: the spies refuse instead, so a failing test stays cheap
    const embedPdf = vi.spyOn(PDFDocument.prototype, 'embedPdf').mockRejectedValue(new Error('embedPdf must not see this PDF'))
    const embedPage = vi.spyOn(PDFDocument.prototype, 'embedPage').mockRejectedValue(new Error('embedPage must not see this PDF'))
    try {
      const res = await guest.get(`${location}/tickets.pdf`)
      expect(res.status).toBe(200)
      const pdf = new Uint8Array(await res.arrayBuffer())
      expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2)
      expect(new TextDecoder('latin1').decode(pdf)).not.toContain('/Subtype /Form')
      expect(embedPdf).not.toHaveBeenCalled()
      expect(embedPage).not.toHaveBeenCalled()
    } finally {
      embedPdf.mockRestore()
      embedPage.mockRestore()
    }
    expect(lines.filter((line) => line.includes('"note":"ticket_template_unusable"'))).toHaveLength(1)
  })

  it('falls back to plain tickets when the stored template is a PDF whose object stream is a 100 MB FlateDecode bomb, never loading it', async () => {
    const { PDFDocument } = await import('pdf-lib')
    const lines: string[] = []
    const logged = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), secretKeys: ring, log: (line) => lines.push(line) })
    const bomb = await pdfObjectStreamBomb()
    // stored as the app stored it before the object-stream budget: about 100 KB that loading would inflate to 100 MB
    const { guest, location } = await guestWithTicketsOn(logged, 'application/pdf', bomb)
    // the ticket PDF itself is made with PDFDocument.create: only the template would be loaded, and the spy counts it
    const load = vi.spyOn(PDFDocument, 'load')
    let pdf: Uint8Array
    try {
      const res = await guest.get(`${location}/tickets.pdf`)
      expect(res.status).toBe(200)
      pdf = new Uint8Array(await res.arrayBuffer())
      expect(load).not.toHaveBeenCalled()
    } finally {
      load.mockRestore()
    }
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2)
    expect(new TextDecoder('latin1').decode(pdf)).not.toContain('/Subtype /Form')
    expect(lines.filter((line) => line.includes('"note":"ticket_template_unusable"'))).toHaveLength(1)
  })

  it('draws a stored template pdf-lib saved with object streams (its default) behind each ticket', async () => {
    const { PDFDocument } = await import('pdf-lib')
    const lines: string[] = []
    const logged = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), secretKeys: ring, log: (line) => lines.push(line) })
    const templateDoc = await PDFDocument.create()
    templateDoc.addPage([298, 420]).drawText('Sauti za Pwani', { x: 20, y: 380 })
    const template = await templateDoc.save({ useObjectStreams: true })
    expect(new TextDecoder('latin1').decode(template)).toContain('/Type /ObjStm')
    const { guest, location } = await guestWithTicketsOn(logged, 'application/pdf', template)
    const res = await guest.get(`${location}/tickets.pdf`)
    expect(res.status).toBe(200)
    const pdf = new Uint8Array(await res.arrayBuffer())
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2)
    expect(new TextDecoder('latin1').decode(pdf)).toContain('/Subtype /Form')
    expect(lines.filter((line) => line.includes('"note":"ticket_template_unusable"'))).toHaveLength(0)
  })

  it('falls back to plain tickets when the stored template does not decode (a fake or truncated PNG), noting it in the log', async () => {
    const lines: string[] = []
    const logged = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), secretKeys: ring, log: (line) => lines.push(line) })
    const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='), (ch) => ch.charCodeAt(0))
    const fake = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new TextEncoder().encode('junk behind a PNG signature')])
    for (const [name, bytes, contentType] of [['fake', fake, 'image/png'], ['truncated', png.slice(0, 50), 'image/png'], ['fake jpeg', new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'image/jpeg']] as const) {
      // stored as an older app version would have stored it, past today's upload check
      const { guest, location } = await guestWithTicketsOn(logged, contentType, bytes)
      const res = await guest.get(`${location}/tickets.pdf`)
      expect(res.status, name).toBe(200)
      const { PDFDocument } = await import('pdf-lib')
      expect((await PDFDocument.load(new Uint8Array(await res.arrayBuffer()))).getPageCount(), name).toBe(2)
      expect(lines.filter((line) => line.includes('"note":"ticket_template_unusable"')), name).toHaveLength(1)
      lines.length = 0
    }
  })
})
