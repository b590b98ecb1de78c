/**
 * The manager's payment reconciliation: totals that add up, filters, masked phones, the flags that need
 * a person, the CSV export (and its formula-injection guard), tenant isolation and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { withContext } from '../../src/db/request-context.ts'
import type { PaymentFlagKind, TransactionStatus } from '../../src/db/schema.ts'
import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import { maskPhone } from '../../src/lib/phone.ts'
import { csvCell, minorToDecimal, safePhone } from '../../src/payments/reconciliation-service.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let managerA: TestClient
let managerB: TestClient
let scannerA: TestClient
let managerBUserId: string
let tenantBId: string
const ids = {} as Record<'a1' | 'a2' | 'a3' | 'b1', string>
const titles = {} as Record<'a1' | 'a2' | 'a3' | 'b1', string>

const BASE = Date.parse('2026-03-02T16:00:00Z') // 19:00 in Nairobi
const at = (minutes: number) => new Date(BASE + minutes * 60_000)

/** Phones that must never appear in full: they are the buyers'. */
const PHONE_1 = '254712345678'
const PHONE_2 = '254799888777'
const PHONE_3 = '254700111222'
const PHONE_B = '254733444555'

function receipt(): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'
  return Array.from(crypto.getRandomValues(new Uint8Array(10)), (b) => letters[b % letters.length]).join('')
}

interface TxInput {
  tenantId: string
  eventId: string
  amount: number
  commission?: number
  status: TransactionStatus
  minutes: number
  phone?: string
  paidPhone?: string
  resultCode?: number
  failureReason?: string
  refundReason?: string
  userId?: string
  noReceipt?: boolean
}

const tx = {} as Record<string, { id: string; receipt: string | null; checkout: string }>

async function insertTx(name: string, input: TxInput) {
  const checkout = unique('ws_CO')
  const paid = input.status !== 'pending' && input.status !== 'failed' && !input.noReceipt
  const row = await asSystem(db, (trx) => trx.insertInto('transactions').values({
    tenant_id: input.tenantId, event_id: input.eventId, amount_minor: input.amount, commission_minor: input.commission ?? 0,
    status: input.status, mpesa_receipt_number: paid ? receipt() : null, checkout_request_id: checkout,
    merchant_request_id: unique('mr'), mpesa_phone: input.phone ?? PHONE_1, paid_phone: input.paidPhone ?? (paid ? input.phone ?? PHONE_1 : null),
    result_code: input.resultCode ?? (input.status === 'completed' ? 0 : null), failure_reason: input.failureReason ?? null,
    refund_reason: input.refundReason ?? null, user_id: input.userId ?? null, created_at: at(input.minutes),
    refunded_minor: input.status === 'refunded' ? input.amount : 0,
    completed_at: paid ? at(input.minutes + 1) : null,
  }).returning(['id', 'mpesa_receipt_number']).executeTakeFirstOrThrow())
  tx[name] = { id: row.id, receipt: row.mpesa_receipt_number, checkout }
  return tx[name]!
}

async function insertFlag(tenantId: string, eventId: string, transactionId: string, kind: PaymentFlagKind, detail: Record<string, unknown>, minutes: number) {
  await asSystem(db, (trx) => trx.insertInto('payment_flags').values({
    tenant_id: tenantId, event_id: eventId, transaction_id: transactionId, kind, detail, created_at: at(minutes),
  }).execute())
}

async function signIn(account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

async function page(client: TestClient, path: string) {
  const res = await client.get(path)
  return { status: res.status, html: await res.text(), headers: res.headers }
}

/** The totals block as { gross: 'KES 4,000.50', … }. */
function totalsOf(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<dd data-total="(\w+)">([^<]*)<\/dd>/g)].map((m) => [m[1]!, m[2]!]))
}

function rowsOf(html: string): string[] {
  const body = /<tbody>([\s\S]*)<\/tbody>/.exec(html)?.[1] ?? ''
  return body.split('</tr>').filter((row) => row.includes('<td'))
}

/** RFC 4180, enough for the export: quoted cells, doubled quotes, CRLF. */
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

const money = (minor: number) => formatMoney(minor, 'KES', 'en')

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  const tenantA = await createTenant(db)
  const tenantB = await createTenant(db)
  tenantBId = tenantB.id
  titles.a1 = unique('Sauti Fest')
  titles.a2 = `=HYPERLINK("http://evil.test","x") ${unique('gig')}`
  titles.a3 = unique('Busy Night')
  titles.b1 = unique('Other Organiser Show')
  for (const [key, tenantId] of [['a1', tenantA.id], ['a2', tenantA.id], ['a3', tenantA.id], ['b1', tenantB.id]] as const) {
    const { event } = await createEvent(db, tenantId, { title: titles[key] })
    ids[key] = event.id
  }
  const accountB = await createAccount(db, { tenantId: tenantB.id, membership: 'manager' })
  managerBUserId = accountB.id
  managerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }))
  managerB = await signIn(accountB)
  scannerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'scanner' }))

  const A = { tenantId: tenantA.id, eventId: ids.a1 }
  await insertTx('paid1', { ...A, amount: 150_000, commission: 7_500, status: 'completed', minutes: 1 })
  await insertTx('paid2', { ...A, amount: 250_050, commission: 12_503, status: 'completed', minutes: 2, phone: PHONE_2, paidPhone: PHONE_3 })
  // manager B once bought a ticket from organiser A: their own purchase, readable to them as a buyer
  await insertTx('boughtByB', { ...A, amount: 50_000, commission: 2_500, status: 'completed', minutes: 3, userId: managerBUserId })
  await insertTx('pending', { ...A, amount: 100_000, commission: 5_000, status: 'pending', minutes: 4 })
  await insertTx('wrongPin', { ...A, amount: 100_000, commission: 5_000, status: 'failed', minutes: 5, resultCode: 2001, failureReason: 'The initiator information is invalid.' })
  await insertTx('noAnswer', { ...A, amount: 100_000, commission: 5_000, status: 'failed', minutes: 6, failureReason: 'no_answer' })
  await insertTx('refundDue', { ...A, amount: 150_000, commission: 7_500, status: 'refund_due', minutes: 7, refundReason: 'tickets_gone' })
  await insertTx('refunded', { ...A, amount: 80_000, commission: 4_000, status: 'refunded', minutes: 8, refundReason: 'duplicate_payment' })
  await insertTx('a2paid', { tenantId: tenantA.id, eventId: ids.a2, amount: 300_000, commission: 15_000, status: 'completed', minutes: 9 })
  for (let i = 0; i < 55; i++) {
    await insertTx(`busy${i}`, { tenantId: tenantA.id, eventId: ids.a3, amount: 10_000, commission: 500, status: 'completed', minutes: 100 + i })
  }
  await insertTx('bPaid', { tenantId: tenantB.id, eventId: ids.b1, amount: 999_900, commission: 49_995, status: 'completed', minutes: 10, phone: PHONE_B })

  await insertFlag(tenantA.id, ids.a1, tx.paid2!.id, 'phone_mismatch', { expected: maskPhone(PHONE_2), paid: maskPhone(PHONE_3) }, 20)
  // a full number in a flag's detail (older code, a mistake) is still shown masked
  await insertFlag(tenantA.id, ids.a1, tx.noAnswer!.id, 'repeated_failures', { failures: 3, phone: PHONE_1 }, 21)
  await insertFlag(tenantA.id, ids.a1, tx.refundDue!.id, 'refund_due', { reason: 'tickets_gone' }, 22)
  await insertFlag(tenantB.id, ids.b1, tx.bPaid!.id, 'phone_mismatch', { expected: maskPhone(PHONE_B), paid: maskPhone(PHONE_2) }, 23)
}, 120_000)
afterAll(() => db.destroy())

describe('totals', () => {
  it('adds up completed payments only: gross, commission, and net = gross − commission', async () => {
    const { status, html } = await page(managerA, `/manage/payments?event=${ids.a1}`)
    expect(status).toBe(200)
    const gross = 150_000 + 250_050 + 50_000
    const commission = 7_500 + 12_503 + 2_500
    expect(totalsOf(html)).toEqual({
      gross: money(gross), commission: money(commission), net: money(gross - commission),
      completed: '3', pending: '1', failed: '2', refundDue: `1 (${money(150_000)})`, refunded: '1', refundedAmount: money(80_000),
    })
    expect(html).toContain('Commission is earned only on money you keep')
    expect(money(gross - commission)).toBe('KES 4,275.47')
  })

  it('covers every event of the tenant without a filter, and follows the status filter', async () => {
    const all = totalsOf((await page(managerA, '/manage/payments')).html)
    const gross = 150_000 + 250_050 + 50_000 + 300_000 + 55 * 10_000
    const commission = 7_500 + 12_503 + 2_500 + 15_000 + 55 * 500
    expect(all).toMatchObject({ gross: money(gross), commission: money(commission), net: money(gross - commission), completed: String(3 + 1 + 55) })

    const failed = totalsOf((await page(managerA, `/manage/payments?event=${ids.a1}&status=failed`)).html)
    expect(failed).toMatchObject({ gross: money(0), net: money(0), completed: '0', failed: '2', pending: '0' })
  })
})

describe('the transactions', () => {
  it('lists an event\'s payments newest first, with Nairobi times, money, status and reasons in words', async () => {
    const { html } = await page(managerA, `/manage/payments?event=${ids.a1}`)
    const rows = rowsOf(html)
    expect(rows).toHaveLength(8)
    expect(rows[0]).toContain(tx.refunded!.receipt!)
    expect(rows[7]).toContain(tx.paid1!.receipt!)
    expect(rows[7]).toContain(formatDateTime(at(1), 'en'))
    expect(formatDateTime(at(1), 'en')).toContain('19:01')
    expect(rows[7]).toContain(tx.paid1!.checkout)
    expect(rows[7]).toContain(money(150_000))
    expect(rows[7]).toContain(money(7_500))
    expect(rows[7]).toContain(money(142_500))
    expect(rows[7]).toContain('Completed')
    const row = (name: string) => rows.find((r) => r.includes(tx[name]!.checkout))!
    expect(row('wrongPin')).toContain('Wrong M-Pesa PIN.')
    // a failed payment earned nothing: no commission, no net (its KES 50 / KES 950 would be money never received)
    const cells = (r: string) => [...r.matchAll(/<td[^>]*data-label="(Commission|Net)[^"]*"[^>]*>([^<]*)</g)].map((m) => m[2])
    expect(cells(row('wrongPin'))).toEqual(['—', '—'])
    expect(cells(row('refunded'))).toEqual(['—', '—'])
    expect(cells(row('paid1'))).toEqual([money(7_500), money(142_500)])
    expect(row('noAnswer')).toContain('No answer from the phone in time.')
    expect(row('refundDue')).toContain('Paid after the tickets were no longer available.')
    expect(row('refundDue')).toContain('Refund due')
    expect(row('refunded')).toContain('A second payment for an order already paid.')
    expect(row('pending')).toContain('Pending')
  })

  it('filters by status', async () => {
    const rows = rowsOf((await page(managerA, `/manage/payments?event=${ids.a1}&status=failed`)).html)
    expect(rows).toHaveLength(2)
    expect(rows.every((r) => r.includes('Failed'))).toBe(true)
  })

  it('masks every phone number: the full number never reaches the page', async () => {
    const { html } = await page(managerA, `/manage/payments?event=${ids.a1}`)
    expect(html).toContain(maskPhone(PHONE_1))
    expect(html).toContain(maskPhone(PHONE_2))
    expect(html).toContain(`paid from <span class="nowrap">${maskPhone(PHONE_3)}</span>`)
    for (const phone of [PHONE_1, PHONE_2, PHONE_3]) {
      expect(html).not.toContain(phone)
      expect(html).not.toContain(`0${phone.slice(3)}`)
      expect(html).not.toContain(phone.slice(3))
    }
  })

  it('pages 50 at a time, keeping the filter in the links', async () => {
    const first = (await page(managerA, `/manage/payments?event=${ids.a3}`)).html
    expect(rowsOf(first)).toHaveLength(50)
    expect(rowsOf(first)[0]).toContain(tx.busy54!.checkout)
    expect(first).toContain('Page 1 of 2')
    expect(first).toContain(`href="/manage/payments?event=${ids.a3}&amp;page=2"`)
    const second = (await page(managerA, `/manage/payments?event=${ids.a3}&page=2`)).html
    expect(rowsOf(second)).toHaveLength(5)
    expect(rowsOf(second)[4]).toContain(tx.busy0!.checkout)
    expect(second).toContain('Page 2 of 2')
    const beyond = await page(managerA, `/manage/payments?event=${ids.a3}&page=9`)
    expect(beyond.status).toBe(200)
    expect(beyond.html).toContain('No payments match.')
  })

  it('is linked from the organiser portal, answers HTMX with the fragment, and speaks Swahili', async () => {
    expect((await page(managerA, '/manage')).html).toContain('href="/manage/payments"')
    const full = await page(managerA, '/manage/payments')
    expect(full.headers.get('vary')).toContain('HX-Request')
    const htmx = await managerA.get('/manage/payments', { 'HX-Request': 'true' })
    const body = await htmx.text()
    expect(body).not.toContain('<html')
    expect(body).toContain('recon-totals')
    const sw = (await page(managerA, `/manage/payments?event=${ids.a1}&lang=sw`)).html
    expect(sw).toContain('Malipo')
    expect(sw).toContain('Yamekamilika')
    expect(sw).toContain('Yanahitaji uangalizi')
    await managerA.get('/manage/payments?lang=en')
  })
})

describe('needs attention', () => {
  it('lists the tenant\'s flags with their kind, payment, event, time and masked phones', async () => {
    const { html } = await page(managerA, '/manage/payments')
    const section = html.slice(html.indexOf('id="attention"'), html.indexOf('id="transactions"'))
    expect(section).toContain('Paid from another phone')
    expect(section).toContain(`The prompt went to ${maskPhone(PHONE_2)}; it was paid from ${maskPhone(PHONE_3)}.`)
    expect(section).toContain(tx.paid2!.receipt!)
    expect(section).toContain('Repeated failed payments')
    expect(section).toContain(`3 failed attempts from ${maskPhone(PHONE_1)}`)
    expect(section).toContain(tx.noAnswer!.checkout)
    expect(section).toContain('Payment to refund')
    expect(section).toContain('Not refunded yet: refund it through M-Pesa by hand.')
    expect(section).toContain(titles.a1)
    expect(section).toContain(formatDateTime(at(22), 'en'))
    expect(section).not.toContain(PHONE_1)
    // tenant B's flag is not here
    expect(section).not.toContain(tx.bPaid!.receipt!)
    expect(section.match(/<li>/g)).toHaveLength(3)
  })

  it('follows the event filter', async () => {
    const { html } = await page(managerA, `/manage/payments?event=${ids.a2}`)
    expect(html).toContain('Nothing needs attention.')
  })

  it('keeps only what looks like a phone from a flag\'s detail, masked', () => {
    expect(safePhone('254712345678')).toBe('0712 ••• 678')
    expect(safePhone('0712345678')).toBe('0712 ••• 678')
    expect(safePhone('0712 ••• 678')).toBe('0712 ••• 678')
    expect(safePhone('••• 712345678')).toBeUndefined()
    expect(safePhone('<script>')).toBeUndefined()
    expect(safePhone(42)).toBeUndefined()
  })
})

describe('the CSV export', () => {
  it('downloads the filtered transactions as an attachment, amounts in KES, Nairobi time, the paying phone in full', async () => {
    const res = await managerA.get(`/manage/payments.csv?event=${ids.a1}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="payments-\d{4}-\d{2}-\d{2}\.csv"$/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    // a UTF-8 byte-order mark first, for Excel (text() drops it when decoding)
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = new TextDecoder().decode(bytes)
    const rows = parseCsv(text)
    expect(rows[0]).toEqual(['created_at_nairobi', 'type', 'event', 'status', 'amount_kes', 'commission_kes', 'net_kes', 'refunded_kes',
      'receipt', 'checkout_request_id', 'phone'])
    expect(rows).toHaveLength(1 + 8)
    const paid2 = rows.find((r) => r[9] === tx.paid2!.checkout)!
    // Nairobi time as on the page (19:02, not 16:02 UTC), and the phone that paid in full: organisers match it to their statement
    expect(paid2).toEqual(['2026-03-02 19:02:00', 'payment', titles.a1, 'completed', '2500.50', '125.03', '2375.47', '0.00',
      tx.paid2!.receipt, tx.paid2!.checkout, PHONE_3])
    expect(formatDateTime(at(2), 'en')).toContain('19:02')
    // a failed payment: no commission, no net
    const wrongPin = rows.find((r) => r[9] === tx.wrongPin!.checkout)!
    expect(wrongPin.slice(3, 8)).toEqual(['failed', '1000.00', '0.00', '0.00', '0.00'])
    expect(rows.find((r) => r[9] === tx.refunded!.checkout)!.slice(3, 8)).toEqual(['refunded', '800.00', '0.00', '0.00', '800.00'])
    // newest first, like the page
    expect(rows[1]![9]).toBe(tx.refunded!.checkout)
  })

  it('follows the status filter and exports every page', async () => {
    const failed = parseCsv(await (await managerA.get(`/manage/payments.csv?event=${ids.a1}&status=failed`)).text())
    expect(failed[0]![0]).toBe('created_at_nairobi')
    expect(failed.slice(1).map((r) => r[3])).toEqual(['failed', 'failed'])
    const busy = parseCsv(await (await managerA.get(`/manage/payments.csv?event=${ids.a3}`)).text())
    expect(busy).toHaveLength(1 + 55)
  })

  it('defuses spreadsheet formulas in cells', async () => {
    const rows = parseCsv(await (await managerA.get(`/manage/payments.csv?event=${ids.a2}`)).text())
    expect(rows[1]![2]).toBe(`'${titles.a2}`)
    expect(csvCell('=1+1')).toBe(`'=1+1`)
    expect(csvCell('+254712')).toBe(`'+254712`)
    expect(csvCell('-2')).toBe(`'-2`)
    expect(csvCell('@SUM(A1)')).toBe(`'@SUM(A1)`)
    expect(csvCell('\t=1')).toBe(`'\t=1`)
    expect(csvCell('a,"b"')).toBe('"a,""b"""')
    expect(csvCell('=a,b')).toBe(`"'=a,b"`)
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell(null)).toBe('')
    expect(minorToDecimal(150_050)).toBe('1500.50')
    expect(minorToDecimal(5)).toBe('0.05')
  })
})

describe('tenant isolation', () => {
  it('shows a manager only their own tenant\'s payments, never another\'s, even one they bought themselves', async () => {
    // the buyer policy would let manager B read their own purchase from organiser A…
    const readable = await withContext(db, { role: 'manager', tenantId: tenantBId, userId: managerBUserId }, (trx) =>
      trx.selectFrom('transactions').select('id').where('id', '=', tx.boughtByB!.id).executeTakeFirst())
    expect(readable).toBeDefined()
    // …but the reconciliation names the tenant, so it never shows up here
    const { status, html } = await page(managerB, '/manage/payments')
    expect(status).toBe(200)
    expect(html).toContain(tx.bPaid!.receipt!)
    expect(totalsOf(html)).toMatchObject({ gross: money(999_900), commission: money(49_995), completed: '1', pending: '0', failed: '0' })
    for (const name of ['paid1', 'paid2', 'boughtByB', 'refundDue', 'a2paid']) {
      expect(html).not.toContain(tx[name]!.checkout)
    }
    expect(html).not.toContain(titles.a1)
    expect(html).toContain(titles.b1)
    const csv = await (await managerB.get('/manage/payments.csv')).text()
    expect(csv).toContain(tx.bPaid!.checkout)
    expect(csv).not.toContain(tx.boughtByB!.checkout)
    expect(csv).not.toContain(tx.paid1!.checkout)
  })

  it('answers 404 when the event filter points at another tenant\'s event (published or not)', async () => {
    for (const path of [`/manage/payments?event=${ids.a1}`, `/manage/payments.csv?event=${ids.a1}`]) {
      const res = await managerB.get(path)
      const body = await res.text()
      expect(res.status, path).toBe(404)
      expect(body).not.toContain(tx.paid1!.checkout)
      expect(body).not.toContain(titles.a1)
    }
    expect((await managerA.get(`/manage/payments?event=${ids.b1}`)).status).toBe(404)
  })

  it('refuses scanners and people who are not signed in', async () => {
    expect((await scannerA.get('/manage/payments')).status).toBe(403)
    expect((await scannerA.get('/manage/payments.csv')).status).toBe(403)
    const anonymous = await new TestClient(app).get('/manage/payments.csv')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toMatch(/^\/login\?next=/)
  })
})

describe('bad input', () => {
  it.each([
    ['page=abc', 'The page must be a whole number'],
    ['page=-1', 'The page must be a whole number'],
    ['page=0', 'The page must be a whole number'],
    ['page=1.5', 'The page must be a whole number'],
    ['page=99999999999999999999', 'The page must be a whole number'],
    ['event=not-a-uuid', 'That is not one of your events'],
    ['event=00000000-0000-0000-0000-00000000000g', 'That is not one of your events'],
    ['status=bogus', 'That payment status does not exist'],
    ['status=%00', 'That payment status does not exist'],
  ])('answers ?%s with a 400 and a clear message, on the page and the CSV', async (query, message) => {
    for (const path of ['/manage/payments', '/manage/payments.csv']) {
      const res = await managerA.get(`${path}?${query}`)
      expect(res.status, `${path}?${query}`).toBe(400)
      expect(await res.text()).toContain(message)
    }
  })

  it('treats empty filters (what the form sends for "all") as no filter', async () => {
    const res = await managerA.get('/manage/payments?event=&status=&page=')
    expect(res.status).toBe(200)
    expect(totalsOf(await res.text()).completed).toBe(String(3 + 1 + 55))
  })

  it('answers an unknown event of the right shape with 404', async () => {
    expect((await managerA.get('/manage/payments?event=00000000-0000-4000-8000-000000000000')).status).toBe(404)
  })
})
