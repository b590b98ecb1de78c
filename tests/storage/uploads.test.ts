import { PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { fileOf, postMultipart } from '../support/multipart.ts'
import { pdfBomb, pdfObjectStreamBomb, pdfWithContents } from '../support/pdf.ts'
import { blankPng, filteredSize, pngBomb } from '../support/png.ts'

const MB = 1024 * 1024
// A valid 1×1 transparent PNG.
const PNG = new Uint8Array(Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'))
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
// A real 4×3 JPEG and lossy and lossless WebP (made with sharp).
const JPEG = new Uint8Array(Buffer.from(
  '/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAADAAQDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABgf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCXADS2v//Z', 'base64'))
const WEBP = new Uint8Array(Buffer.from('UklGRjwAAABXRUJQVlA4IDAAAADQAQCdASoEAAMAAUAmJaACdLoB+AADsAD+9hNf/izkYjs83/4E78Cd+BO/8AAAAAA=', 'base64'))
const WEBP_LOSSLESS = new Uint8Array(Buffer.from('UklGRh4AAABXRUJQVlA4TBEAAAAvA4AAAAdQhSJXof+BiOh/AAA=', 'base64'))
/** The PNG signature followed by junk: what the type check alone let through. */
const FAKE_PNG = new Uint8Array([...PNG_SIGNATURE, ...new TextEncoder().encode('not an image at all, just junk behind a signature')])
/** The real PNG cut off in its pixel data. */
const TRUNCATED_PNG = PNG.slice(0, 50)
/** A JPEG start of image, then junk. */
const FAKE_JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new TextEncoder().encode('junk junk junk junk')])
/**
 * 38 bytes as the probe made them: a RIFF/WEBP/"VP8 " header with the sizes right, the key-frame start code
 * and a 64×48 size, and zeros for the rest (the frame tag too: no first partition, a frame not to be shown).
 */
const ZERO_WEBP = new Uint8Array([...new TextEncoder().encode('RIFF'), 30, 0, 0, 0, ...new TextEncoder().encode('WEBPVP8 '), 18, 0, 0, 0,
  0, 0, 0, 0x9d, 0x01, 0x2a, 64, 0, 48, 0, ...new Uint8Array(8)])
/** A 64×48 RGB PNG whose IDAT is valid zlib, but of 500 bytes where the rows need 9,264. */
const SHORT_PNG = blankPng({ width: 64, height: 48, bitDepth: 8, colorType: 2 }, 500)
/** A WebP header whose size and chunk are junk. */
const FAKE_WEBP = new Uint8Array([...new TextEncoder().encode('RIFF'), 0x20, 0, 0, 0, ...new TextEncoder().encode('WEBPjunk junk junk junk junk!')])

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let managerA: TestClient
let managerB: TestClient
let eventId: string
let slug: string
let tenantIds: string[]
let onePagePdf: Uint8Array
let twoPagePdf: Uint8Array

async function signIn(account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

async function pdfOf(pages: number) {
  const doc = await PDFDocument.create()
  for (let i = 0; i < pages; i++) doc.addPage([300, 150]).drawText(`Ticket page ${i + 1}`, { x: 20, y: 70 })
  return doc.save()
}

/** `size` bytes starting with the PNG signature: a PNG as far as the type check can tell. */
function pngSigned(size: number) {
  const bytes = new Uint8Array(size)
  bytes.set(PNG_SIGNATURE)
  return bytes
}

const eventRow = () => asSystem(db, (trx) => trx.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow())
// this file's tenants only: on Postgres, other test files write blobs into the same database meanwhile
const blobCount = () => asSystem(db, async (trx) =>
  (await trx.selectFrom('blobs').select('id').where('tenant_id', 'in', tenantIds).execute()).length)
const mediaId = (url: string | null | undefined) => /^\/media\/([0-9a-f-]{36})$/.exec(url ?? '')?.[1]
const upload = (client: TestClient | undefined, what: 'poster' | 'template', fields: Record<string, string | File>) =>
  postMultipart(app, client, `/manage/events/${eventId}/${what}`, fields)

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  const tenantA = await createTenant(db)
  const tenantB = await createTenant(db)
  tenantIds = [tenantA.id, tenantB.id]
  managerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }))
  managerB = await signIn(await createAccount(db, { tenantId: tenantB.id, membership: 'manager' }))
  const { event } = await createEvent(db, tenantA.id, { status: 'draft' })
  eventId = event.id
  slug = event.slug
  onePagePdf = await pdfOf(1)
  twoPagePdf = await pdfOf(2)
})
afterAll(() => db.destroy())

describe('poster', () => {
  it('stores a PNG poster, serves it to anyone with long caching, and shows it lazily on the event page', async () => {
    const res = await upload(managerA, 'poster', { file: fileOf(PNG, 'poster.png', 'image/png') })
    expect(res.status, await res.clone().text()).toBe(303)
    expect(res.headers.get('location')).toBe(`/manage/events/${eventId}?notice=uploaded`)
    expect(await (await managerA.get(res.headers.get('location')!)).text()).toContain('Uploaded.')

    const url = (await eventRow()).poster_urls[0]
    expect(mediaId(url)).toBeDefined()
    expect((await eventRow()).poster_urls).toEqual([url])

    const media = await app.request(url!)
    expect(media.status).toBe(200)
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(PNG)
    expect(media.headers.get('content-type')).toBe('image/png')
    expect(media.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(media.headers.get('x-content-type-options')).toBe('nosniff')
    const etag = media.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/)
    const again = await app.request(url!, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    for (const header of [`"other", ${etag}`, `W/${etag}`, '*']) {
      expect((await app.request(url!, { headers: { 'if-none-match': header } })).status, header).toBe(304)
    }
    expect((await app.request(url!, { headers: { 'if-none-match': '"other"' } })).status).toBe(200)

    await asSystem(db, (trx) => trx.updateTable('events').set({ status: 'published' }).where('id', '=', eventId).execute())
    const page = await (await app.request(`/events/${slug}`)).text()
    expect(page).toMatch(new RegExp(`<img[^>]*src="${url}"[^>]*loading="lazy"`))
  })
})

describe('images are decoded when they arrive', () => {
  it.each([
    ['a JPEG poster', 'poster', JPEG, 'poster.jpg', 'image/jpeg'],
    ['a lossy WebP poster', 'poster', WEBP, 'poster.webp', 'image/webp'],
    ['a lossless WebP poster', 'poster', WEBP_LOSSLESS, 'poster.webp', 'image/webp'],
    ['a PNG template', 'template', PNG, 'ticket.png', 'image/png'],
    ['a JPEG template', 'template', JPEG, 'ticket.jpg', 'image/jpeg'],
  ] as const)('accepts %s that decodes', async (_name, what, bytes, filename, type) => {
    const res = await upload(managerA, what, { file: fileOf(bytes, filename, type) })
    expect(res.status, await res.clone().text()).toBe(303)
    const row = await eventRow()
    const url = what === 'poster' ? row.poster_urls[0] : row.ticket_template_url
    const stored = await asSystem(db, (trx) => trx.selectFrom('blobs').select('content_type').where('id', '=', mediaId(url)!).executeTakeFirstOrThrow())
    expect(stored.content_type).toBe(type)
  })

  it.each([
    ['a PNG signature followed by junk as a template', 'template', FAKE_PNG, 'ticket.png'],
    ['a PNG signature followed by junk as a poster', 'poster', FAKE_PNG, 'poster.png'],
    ['a truncated PNG as a template', 'template', TRUNCATED_PNG, 'ticket.png'],
    ['a truncated PNG as a poster', 'poster', TRUNCATED_PNG, 'poster.png'],
    ['a JPEG start followed by junk as a template', 'template', FAKE_JPEG, 'ticket.jpg'],
    ['a truncated JPEG as a poster', 'poster', JPEG.slice(0, JPEG.length - 10), 'poster.jpg'],
    ['a WebP header followed by junk as a poster', 'poster', FAKE_WEBP, 'poster.webp'],
    ['a WebP header followed by zeros as a poster', 'poster', ZERO_WEBP, 'poster.webp'],
    ['a 64×48 PNG whose pixel data is far too short as a poster', 'poster', SHORT_PNG, 'poster.png'],
    ['a 64×48 PNG whose pixel data is far too short as a template', 'template', SHORT_PNG, 'ticket.png'],
  ] as const)('refuses %s with 422 and a clear message, storing nothing', async (_name, what, bytes, filename) => {
    const [blobsBefore, before] = [await blobCount(), await eventRow()]
    const res = await upload(managerA, what, { file: fileOf(bytes, filename, 'image/png') })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('That image could not be read: the file is damaged')
    expect(await blobCount()).toBe(blobsBefore)
    const after = await eventRow()
    expect([after.poster_urls, after.ticket_template_url]).toEqual([before.poster_urls, before.ticket_template_url])
  })
})

describe('images over the pixel limit are refused from their header, before anything is decoded', () => {
  /** One-bit grey keeps these files small: the pixel limit is about pixels, not bytes. */
  const grey = (width: number, height: number) => blankPng({ width, height, bitDepth: 1, colorType: 0 }, filteredSize(width, height, 1))
  /** Uploads `bytes` as a PNG (in Swahili when `lang` says so), checking that nothing was stored and counting pdf-lib's PNG decodes. */
  const refusal = async (what: 'poster' | 'template', bytes: Uint8Array, lang?: 'sw') => {
    const [blobsBefore, before] = [await blobCount(), await eventRow()]
    const embedPng = vi.spyOn(PDFDocument.prototype, 'embedPng')
    if (lang) managerA.cookies.set('lang', lang)
    try {
      const res = await upload(managerA, what, { file: fileOf(bytes, `${what}.png`, 'image/png') })
      const page = await res.text()
      expect(await blobCount()).toBe(blobsBefore)
      const after = await eventRow()
      expect([after.poster_urls, after.ticket_template_url]).toEqual([before.poster_urls, before.ticket_template_url])
      return { status: res.status, page, pngDecodes: embedPng.mock.calls.length }
    } finally {
      managerA.cookies.delete('lang')
      embedPng.mockRestore()
    }
  }

  let bomb: Uint8Array | undefined
  it.each(['poster', 'template'] as const)('refuses the 8000×8000 PNG bomb as a %s with 422, never handing it to pdf-lib', async (what) => {
    bomb ??= await pngBomb(8000, 8000)
    const { status, page, pngDecodes } = await refusal(what, bomb)
    expect(status).toBe(422)
    const limit = what === 'poster' ? '4096 pixels a side and 16.8 megapixels' : '2048 pixels a side and 4.2 megapixels'
    expect(page).toContain(`That image is 8000 × 8000 pixels: the limit here is ${limit}`)
    expect(pngDecodes).toBe(0)
  })

  it('states the limits on the upload forms, from the same rules', async () => {
    const page = await (await managerA.get(`/manage/events/${eventId}`)).text()
    expect(page).toContain('JPEG, PNG or WebP, up to 2 MB and 4096 × 4096 pixels.')
    expect(page).toContain('A background image (JPEG or PNG, up to 2048 × 2048 pixels) or a one-page PDF, up to 5 MB.')
  })

  it('says so in Swahili to a Swahili speaker', async () => {
    const { status, page } = await refusal('poster', grey(4097, 8), 'sw')
    expect(status).toBe(422)
    expect(page).toContain('Picha hiyo ina pikseli 4097 × 8: kikomo hapa ni pikseli 4096 kila upande na megapikseli 16.8')
  })

  it('accepts a 4096×4096 poster and a 2048×2048 template, the limits themselves, and refuses one pixel more', async () => {
    expect((await upload(managerA, 'poster', { file: fileOf(grey(4096, 4096), 'poster.png', 'image/png') })).status).toBe(303)
    expect((await upload(managerA, 'template', { file: fileOf(grey(2048, 2048), 'ticket.png', 'image/png') })).status).toBe(303)
    expect(await refusal('poster', grey(4096, 4097))).toMatchObject({ status: 422, page: expect.stringContaining('That image is 4096 × 4097 pixels') })
    expect(await refusal('template', grey(2049, 1))).toMatchObject({ status: 422, page: expect.stringContaining('That image is 2049 × 1 pixels') })
  })
})

describe('ticket template', () => {
  it('stores a one-page PDF privately: its tenant\'s manager can read it, nobody else', async () => {
    const res = await upload(managerA, 'template', { file: fileOf(onePagePdf, 'ticket.pdf', 'application/pdf') })
    expect(res.status, await res.clone().text()).toBe(303)
    const url = (await eventRow()).ticket_template_url
    const id = mediaId(url)!
    const row = await asSystem(db, (trx) => trx.selectFrom('blobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
    expect(row).toMatchObject({ purpose: 'ticket_template', content_type: 'application/pdf', is_public: false, byte_size: onePagePdf.byteLength })

    const own = await managerA.get(url!)
    expect(own.status).toBe(200)
    expect(own.headers.get('content-type')).toBe('application/pdf')
    expect(own.headers.get('cache-control')).toBe('private, no-store')
    expect(new Uint8Array(await own.arrayBuffer())).toEqual(onePagePdf)
    expect((await app.request(url!)).status).toBe(404)
    expect((await managerB.get(url!)).status).toBe(404)
  })
})

describe('PDF templates whose page content inflates past the limit are refused before pdf-lib embeds them', () => {
  /** Uploads `bytes` as a PDF template, checking that nothing was stored and counting pdf-lib's page embeds. */
  const pdfRefusal = async (bytes: Uint8Array, lang?: 'sw') => {
    const [blobsBefore, before] = [await blobCount(), await eventRow()]
    // were the bomb embedded it would inflate 200 MB: the spies refuse instead, so a failing test stays cheap
    const embedPdf = vi.spyOn(PDFDocument.prototype, 'embedPdf').mockRejectedValue(new Error('embedPdf must not see this PDF'))
    const embedPage = vi.spyOn(PDFDocument.prototype, 'embedPage').mockRejectedValue(new Error('embedPage must not see this PDF'))
    if (lang) managerA.cookies.set('lang', lang)
    try {
      const res = await upload(managerA, 'template', { file: fileOf(bytes, 'ticket.pdf', 'application/pdf') })
      const page = await res.text()
      expect(await blobCount()).toBe(blobsBefore)
      expect((await eventRow()).ticket_template_url).toBe(before.ticket_template_url)
      return { status: res.status, page, embeds: embedPdf.mock.calls.length + embedPage.mock.calls.length }
    } finally {
      managerA.cookies.delete('lang')
      embedPdf.mockRestore()
      embedPage.mockRestore()
    }
  }
  let bomb: Uint8Array | undefined

  it('refuses the one-page PDF whose content stream is 200 MB of FlateDecode zeros with 422, never embedding it', async () => {
    bomb ??= await pdfBomb()
    const { status, page, embeds } = await pdfRefusal(bomb)
    expect(status).toBe(422)
    expect(page).toContain('That PDF page unpacks to more than 4 MB of drawing instructions')
    expect(embeds).toBe(0)
  })

  it('says so in Swahili to a Swahili speaker', async () => {
    bomb ??= await pdfBomb()
    const { status, page } = await pdfRefusal(bomb, 'sw')
    expect(status).toBe(422)
    expect(page).toContain('Ukurasa huo wa PDF ukifunguliwa una zaidi ya MB 4 za maagizo ya kuchora')
  })

  it('refuses page content under a filter it does not inflate itself, naming it and the ones it accepts', async () => {
    const lzw = await pdfWithContents([{ data: new Uint8Array([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01]), filter: 'LZWDecode' }])
    const { status, page, embeds } = await pdfRefusal(lzw)
    expect(status).toBe(422)
    expect(page).toContain('That PDF page is compressed in a way we do not read (LZWDecode): only uncompressed or Flate (FlateDecode) page content is accepted.')
    expect(embeds).toBe(0)
  })

  it('refuses page content that claims FlateDecode but is not zlib as damaged', async () => {
    const { status, page, embeds } = await pdfRefusal(await pdfWithContents([{ data: new TextEncoder().encode('0 0 1 rg'), filter: 'FlateDecode' }]))
    expect([status, embeds]).toEqual([422, 0])
    expect(page).toContain('That PDF page could not be read: its content is damaged.')
  })

  it('still accepts a real one-page template, whose content pdf-lib compressed with Flate, and embeds it to see it draws', async () => {
    const embedPdf = vi.spyOn(PDFDocument.prototype, 'embedPdf')
    try {
      const res = await upload(managerA, 'template', { file: fileOf(onePagePdf, 'ticket.pdf', 'application/pdf') })
      expect(res.status, await res.clone().text()).toBe(303)
      expect(embedPdf).toHaveBeenCalledTimes(1)
    } finally {
      embedPdf.mockRestore()
    }
    const id = mediaId((await eventRow()).ticket_template_url)!
    const stored = await asSystem(db, (trx) => trx.selectFrom('blobs').select('content_type').where('id', '=', id).executeTakeFirstOrThrow())
    expect(stored.content_type).toBe('application/pdf')
  })
})

describe('PDF templates whose object streams inflate past the budget are refused before pdf-lib loads them', () => {
  /** Uploads `bytes` as a PDF template, checking that nothing was stored and counting pdf-lib's loads. */
  const loadRefusal = async (bytes: Uint8Array, lang?: 'sw') => {
    const [blobsBefore, before] = [await blobCount(), await eventRow()]
    // were the bomb loaded its object stream would inflate 100 MB: the spy refuses instead, so a failing test stays cheap
    const load = vi.spyOn(PDFDocument, 'load').mockRejectedValue(new Error('PDFDocument.load must not see this PDF'))
    if (lang) managerA.cookies.set('lang', lang)
    try {
      const res = await upload(managerA, 'template', { file: fileOf(bytes, 'ticket.pdf', 'application/pdf') })
      const page = await res.text()
      expect(await blobCount()).toBe(blobsBefore)
      expect((await eventRow()).ticket_template_url).toBe(before.ticket_template_url)
      return { status: res.status, page, loads: load.mock.calls.length }
    } finally {
      managerA.cookies.delete('lang')
      load.mockRestore()
    }
  }
  let bomb: Uint8Array | undefined

  it('refuses the one-page PDF whose object stream is 100 MB of FlateDecode zeros with 422, never loading it', async () => {
    bomb ??= await pdfObjectStreamBomb()
    const { status, page, loads } = await loadRefusal(bomb)
    expect(status).toBe(422)
    expect(page).toContain('That PDF page unpacks to more than 8 MB')
    expect(loads).toBe(0)
  })

  it('says so in Swahili to a Swahili speaker', async () => {
    bomb ??= await pdfObjectStreamBomb()
    const { status, page, loads } = await loadRefusal(bomb, 'sw')
    expect([status, loads]).toEqual([422, 0])
    expect(page).toContain('Ukurasa huo wa PDF ukifunguliwa una zaidi ya MB 8')
  })

  it('still accepts and stores a template pdf-lib saved with object streams (its default), loading it once checked', async () => {
    const doc = await PDFDocument.create()
    doc.addPage([298, 420]).drawText('Sauti za Pwani', { x: 20, y: 380 })
    const bytes = await doc.save({ useObjectStreams: true })
    expect(new TextDecoder('latin1').decode(bytes)).toContain('/Type /ObjStm')
    const load = vi.spyOn(PDFDocument, 'load')
    try {
      const res = await upload(managerA, 'template', { file: fileOf(bytes, 'ticket.pdf', 'application/pdf') })
      expect(res.status, await res.clone().text()).toBe(303)
      expect(load).toHaveBeenCalled()
    } finally {
      load.mockRestore()
    }
    const id = mediaId((await eventRow()).ticket_template_url)!
    const stored = await asSystem(db, (trx) => trx.selectFrom('blobs').select('data').where('id', '=', id).executeTakeFirstOrThrow())
    expect(new Uint8Array(stored.data!)).toEqual(bytes)
  })
})

describe('refused uploads store nothing', () => {
  it.each([
    ['a PNG-signed poster of 2 MB + 1 byte', 'poster', () => fileOf(pngSigned(2 * MB + 1), 'big.png', 'image/png'), 413, 'That file is too large: the limit is 2 MB.'],
    ['HTML and script named poster.png', 'poster', () => fileOf(new TextEncoder().encode('<html><script>alert(1)</script></html>'), 'poster.png', 'image/png'), 415, 'That file type is not accepted here.'],
    ['a PDF as a poster', 'poster', () => fileOf(onePagePdf, 'poster.pdf', 'application/pdf'), 415, 'That file type is not accepted here.'],
    ['a two-page PDF template', 'template', () => fileOf(twoPagePdf, 'ticket.pdf', 'application/pdf'), 422, 'The PDF must have exactly one page.'],
    ['a PNG-signed template over 5 MB', 'template', () => fileOf(pngSigned(5 * MB + 1), 'ticket.png', 'image/png'), 413, 'That file is too large: the limit is 5 MB.'],
    ['an empty file', 'poster', () => fileOf(new Uint8Array(0), 'empty.png', 'image/png'), 422, 'Choose a file to upload.'],
    ['no file at all', 'template', undefined, 422, 'Choose a file to upload.'],
    ['a streamed body over 6 MB', 'template', () => fileOf(pngSigned(6 * MB + 1), 'huge.png', 'image/png'), 413, 'That file is too large: the limit is 6 MB.'],
    ['a body over 6 MB by its Content-Length', 'poster', () => fileOf(pngSigned(6 * MB + 1), 'huge.png', 'image/png'), 413, 'That file is too large: the limit is 6 MB.'],
  ] as const)('%s (%s)', async (name, what, file, status, message) => {
    const [blobsBefore, before] = [await blobCount(), await eventRow()]
    const fields: Record<string, string | File> = file ? { file: file() } : { note: 'nothing chosen' }
    const res = await postMultipart(app, managerA, `/manage/events/${eventId}/${what}`, fields, { withLength: name.includes('Content-Length') })
    expect(res.status).toBe(status)
    const page = await res.text()
    expect(page).toContain(message)
    // the page with the upload form again (a template's: its guide); a body over the limit gets the error page instead
    expect(page.includes(what === 'poster' ? 'Upload poster' : 'Upload template')).toBe(!name.includes('6 MB'))
    expect(await blobCount()).toBe(blobsBefore)
    const after = await eventRow()
    expect([after.poster_urls, after.ticket_template_url]).toEqual([before.poster_urls, before.ticket_template_url])
  })

  // PDFDocument.load accepts these bytes; only the page tree is missing. Still not a PDF we can use.
  const brokenPdf = () => ({ file: fileOf(new TextEncoder().encode('%PDF-1.7 not really'), 'ticket.pdf', 'application/pdf') })
  it('refuses a PDF without a page tree as the wrong type (415), storing nothing', async () => {
    const blobsBefore = await blobCount()
    const res = await upload(managerA, 'template', brokenPdf())
    expect([res.status, await res.text()]).toEqual([415, expect.stringContaining('That file type is not accepted here.')])
    expect(await blobCount()).toBe(blobsBefore)
  })

  it('refuses a one-page PDF whose page is blank (it could not be drawn behind tickets)', async () => {
    const blank = await PDFDocument.create()
    blank.addPage([298, 420])
    const blobsBefore = await blobCount()
    const res = await upload(managerA, 'template', { file: fileOf(new Uint8Array(await blank.save()), 'blank.pdf', 'application/pdf') })
    expect([res.status, await res.text()]).toEqual([422, expect.stringContaining('The PDF page is empty')])
    expect(await blobCount()).toBe(blobsBefore)
  })

  it('answers 404 to a manager of another tenant, storing nothing', async () => {
    const [blobsBefore, before] = [await blobCount(), await eventRow()]
    expect((await upload(managerB, 'poster', { file: fileOf(PNG, 'poster.png', 'image/png') })).status).toBe(404)
    expect((await upload(managerB, 'template', { file: fileOf(onePagePdf, 't.pdf', 'application/pdf') })).status).toBe(404)
    expect(await blobCount()).toBe(blobsBefore)
    expect((await eventRow()).poster_urls).toEqual(before.poster_urls)
  })
})

describe('/media', () => {
  it('answers 404 to an id that is not a uuid, or is nobody\'s', async () => {
    expect((await app.request('/media/not-a-uuid')).status).toBe(404)
    expect((await app.request(`/media/${crypto.randomUUID()}`)).status).toBe(404)
  })
})
