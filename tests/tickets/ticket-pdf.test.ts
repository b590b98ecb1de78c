/**
 * What a PDF ticket prints, read back from the PDF itself: the event, Nairobi time, venue, type, the
 * holder's name where their account has one, the price they paid (a resale buyer's listing price), the
 * organiser and the event's terms link (clickable), in English or Swahili, and names in other scripts.
 * The terms link is an event form field: https only, length-limited, refused with 422 otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { formatDateTime } from '../../src/i18n/format.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { issueTickets } from '../../src/tickets/issuing.ts'
import { eventValues } from '../../views/events/manage-event-page.tsx'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { embeddedFontNames, readPdf } from '../support/pdf-text.ts'

const TERMS = 'https://sauti.example.co.ke/terms?lang=en'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let ring: KeyRing

beforeAll(async () => {
  db = await openTestDatabase()
  ring = await parseKeyRing(newKeyEntry('k1'))
  ;({ app } = createTestApp(db, { deps: { secretKeys: ring } }))
})
afterAll(() => db.destroy())

async function signedIn(account: { email: string | null }, headers: Record<string, string> = {}) {
  const client = new TestClient(app, headers)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

/** An organiser's event with a terms link and one ticket type at KES 1,500. */
async function organiserEvent(options: { termsUrl?: string | null } = {}) {
  const tenant = await createTenant(db, { name: 'Sauti Live Ltd' })
  const made = await createEvent(db, tenant.id, { title: 'Sauti za Pwani' })
  await asSystem(db, (trx) => trx.updateTable('events').set({ terms_url: options.termsUrl === undefined ? TERMS : options.termsUrl })
    .where('id', '=', made.event.id).execute())
  return { tenant, ...made }
}

async function buy(client: TestClient, slug: string, typeId: string, quantity = 1) {
  const location = (await client.post(`/events/${slug}/reserve`, { [`qty_${typeId}`]: String(quantity) })).headers.get('location')!
  const ids = await issueTickets(db, ring, location.split('/').pop()!, new Date())
  return { location, ids }
}

async function namedBuyer(name: string) {
  const account = await createAccount(db)
  await asSystem(db, (trx) => trx.updateTable('users').set({ name }).where('id', '=', account.id).execute())
  return account
}

async function pdfOf(res: Response) {
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/pdf')
  return new Uint8Array(await res.arrayBuffer())
}

describe('what a PDF ticket prints', () => {
  it('prints the event, Nairobi time, venue, type, QR, the holder, the price paid, the organiser and a clickable terms link', async () => {
    const { event, ticketTypes } = await organiserEvent()
    const buyer = await namedBuyer('Wanjiru Kamau')
    const client = await signedIn(buyer)
    const { ids: [ticketId] } = await buy(client, event.slug, ticketTypes[0]!.id)
    const [page] = await readPdf(await pdfOf(await client.get(`/tickets/${ticketId}/pdf`)))
    expect(page!.lines).toEqual([
      'Sauti za Pwani', 'Regular', formatDateTime(event.starts_at, 'en'), 'Test Venue, Nairobi',
      'Holder: Wanjiru Kamau', 'Price paid: KES 1,500', 'Organiser: Sauti Live Ltd', `Terms: ${TERMS}`, `Ticket #${ticketId!.slice(0, 8)}`,
    ])
    expect(formatDateTime(event.starts_at, 'en')).toMatch(/\d{2}:\d{2}/)
    expect(page!.links).toEqual([TERMS])
  })

  it('speaks Swahili to a Swahili request', async () => {
    const { event, ticketTypes } = await organiserEvent()
    const client = await signedIn(await namedBuyer('Baraka Otieno'), { 'accept-language': 'sw' })
    const { ids: [ticketId] } = await buy(client, event.slug, ticketTypes[0]!.id)
    const [page] = await readPdf(await pdfOf(await client.get(`/tickets/${ticketId}/pdf`)))
    expect(page!.lines).toContain('Mmiliki: Baraka Otieno')
    expect(page!.lines).toContain('Bei uliyolipa: KES 1,500')
    expect(page!.lines).toContain('Mwandaaji: Sauti Live Ltd')
    expect(page!.lines).toContain(`Masharti: ${TERMS}`)
    expect(page!.lines).toContain(formatDateTime(event.starts_at, 'sw'))
  })

  it('leaves the holder out for a guest without a name, and the terms out for an event without a link', async () => {
    const { event, ticketTypes } = await organiserEvent({ termsUrl: null })
    const guest = new TestClient(app)
    const { location } = await buy(guest, event.slug, ticketTypes[0]!.id, 2)
    const pages = await readPdf(await pdfOf(await guest.get(`${location}/tickets.pdf`)))
    expect(pages).toHaveLength(2)
    for (const page of pages) {
      expect(page.lines).toContain('Price paid: KES 1,500')
      expect(page.lines).toContain('Organiser: Sauti Live Ltd')
      expect(page.lines.some((line) => line.startsWith('Holder:') || line.startsWith('Terms:'))).toBe(false)
      expect(page.links).toEqual([])
    }
  })

  it('prints what a resale buyer paid, not the face value; a later recipient of the ticket sees the face value', async () => {
    const { tenant, event, ticketTypes } = await organiserEvent()
    const seller = await namedBuyer('Seller One')
    const { ids: [ticketId] } = await buy(await signedIn(seller), event.slug, ticketTypes[0]!.id)
    const resaleBuyer = await namedBuyer('Resale Buyer')
    await asSystem(db, async (trx) => {
      await trx.insertInto('marketplace_listings').values({
        tenant_id: tenant.id, ticket_id: ticketId!, event_id: event.id, seller_id: seller.id, original_price_minor: 150_000,
        listing_price_minor: 165_050, max_price_minor: 165_050, status: 'sold', sold_at: new Date(), buyer_id: resaleBuyer.id,
      }).execute()
      // the sale's settlement moves the ticket; here the fixture does
      await trx.updateTable('tickets').set({ user_id: resaleBuyer.id }).where('id', '=', ticketId!).execute()
    })
    const [page] = await readPdf(await pdfOf(await (await signedIn(resaleBuyer)).get(`/tickets/${ticketId}/pdf`)))
    expect(page!.lines).toContain('Holder: Resale Buyer')
    expect(page!.lines).toContain('Price paid: KES 1,650.50')

    const recipient = await namedBuyer('Gift Recipient')
    await asSystem(db, (trx) => trx.updateTable('tickets').set({ user_id: recipient.id }).where('id', '=', ticketId!).execute())
    const [given] = await readPdf(await pdfOf(await (await signedIn(recipient)).get(`/tickets/${ticketId}/pdf`)))
    expect(given!.lines).toContain('Price paid: KES 1,500')
  })

  it('prints names in other scripts with an embedded Unicode font, and a character no font has as ?', async () => {
    const { event, ticketTypes } = await organiserEvent()
    const client = await signedIn(await namedBuyer('Дмитрий Ζωή Ŋugi 王芳'))
    const { ids: [ticketId] } = await buy(client, event.slug, ticketTypes[0]!.id)
    const bytes = await pdfOf(await client.get(`/tickets/${ticketId}/pdf`))
    expect((await embeddedFontNames(bytes)).some((name) => name.includes('DejaVuSans'))).toBe(true)
    const [page] = await readPdf(bytes)
    expect(page!.lines).toContain('Holder: Дмитрий Ζωή Ŋugi ??')
    expect(page!.lines).toContain('Organiser: Sauti Live Ltd')
  })

  it('stays in WinAnsi Helvetica for Latin names, accents included', async () => {
    const { event, ticketTypes } = await organiserEvent()
    const client = await signedIn(await namedBuyer('Zoë Ngugi-Müller'))
    const { ids: [ticketId] } = await buy(client, event.slug, ticketTypes[0]!.id)
    const bytes = await pdfOf(await client.get(`/tickets/${ticketId}/pdf`))
    expect(await embeddedFontNames(bytes)).toEqual([])
    expect((await readPdf(bytes))[0]!.lines).toContain('Holder: Zoë Ngugi-Müller')
  })

  it('cuts a line too long for its zone with an ellipsis, keeping the whole address in the link', async () => {
    const long = `https://sauti.example.co.ke/${'terms-and-conditions/'.repeat(10)}`
    const { event, ticketTypes } = await organiserEvent({ termsUrl: long })
    const client = await signedIn(await namedBuyer('Amina'))
    const { ids: [ticketId] } = await buy(client, event.slug, ticketTypes[0]!.id)
    const [page] = await readPdf(await pdfOf(await client.get(`/tickets/${ticketId}/pdf`)))
    const terms = page!.lines.find((line) => line.startsWith('Terms: '))!
    expect(terms.endsWith('…')).toBe(true)
    expect(terms.length).toBeLessThan(long.length)
    expect(page!.links).toEqual([long])
  })
})

describe('the terms link on the event form', () => {
  async function manager() {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id, { status: 'draft' })
    const client = await signedIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    return { event, client }
  }
  const stored = (eventId: string) => asSystem(db, async (trx) =>
    (await trx.selectFrom('events').select('terms_url').where('id', '=', eventId).executeTakeFirstOrThrow()).terms_url)

  it('saves an https address, shows it on the form, and clears it when emptied', async () => {
    const { event, client } = await manager()
    const res = await client.post(`/manage/events/${event.id}`, { ...eventValues(event), termsUrl: ' https://sauti.example.co.ke/terms ' })
    expect(res.status).toBe(303)
    expect(await stored(event.id)).toBe('https://sauti.example.co.ke/terms')
    expect(await (await client.get(`/manage/events/${event.id}`)).text()).toContain('value="https://sauti.example.co.ke/terms"')
    expect((await client.post(`/manage/events/${event.id}`, { ...eventValues(event), termsUrl: '' })).status).toBe(303)
    expect(await stored(event.id)).toBeNull()
  })

  it.each([
    ['plain http', 'http://sauti.example.co.ke/terms', 'Enter a full https:// address'],
    ['a script', 'javascript:alert(1)', 'Enter a full https:// address'],
    ['no host', 'https://', 'Enter a full https:// address'],
    ['a bare word', 'terms', 'Enter a full https:// address'],
    ['a password in it', 'https://user:secret@example.co.ke/terms', 'Enter a full https:// address'],
    ['spaces', 'https://example.co.ke/our terms', 'Enter a full https:// address'],
    ['over 500 characters', `https://example.co.ke/${'a'.repeat(480)}`, 'That address is too long: at most 500 characters.'],
  ])('refuses %s with 422 and keeps the stored link', async (_name, termsUrl, message) => {
    const { event, client } = await manager()
    await asSystem(db, (trx) => trx.updateTable('events').set({ terms_url: TERMS }).where('id', '=', event.id).execute())
    const res = await client.post(`/manage/events/${event.id}`, { ...eventValues(event), title: 'Changed title', termsUrl })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain(message)
    expect(await stored(event.id)).toBe(TERMS)
    const title = await asSystem(db, async (trx) => (await trx.selectFrom('events').select('title').where('id', '=', event.id).executeTakeFirstOrThrow()).title)
    expect(title).toBe(event.title)
  })

  it('is refused by the database itself when not https', async () => {
    const { event } = await manager()
    await expect(asSystem(db, (trx) => trx.updateTable('events').set({ terms_url: 'http://example.co.ke' }).where('id', '=', event.id).execute()))
      .rejects.toThrow(/terms_url/)
  })
})
