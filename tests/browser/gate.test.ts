/**
 * The gate with a real camera feed: Chromium's fake camera plays a video made here from real tickets'
 * QR codes. VALID, then ALREADY USED as the code comes back into view; then, with the browser restarted
 * and offline, the page opens from its service worker, admits another ticket on the phone alone, and
 * the scan uploads when the connection returns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ASSETS } from '../../src/http/static-assets.ts'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { qrModules } from '../../src/tickets/qr-svg.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { sellWithCodes } from '../scanning/gate-fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, CHROMIUM_PATH, PHONE_VIEWPORT, screenshot } from './harness.ts'

const W = 640
const H = 480

/** A Y4M video (what Chromium's fake camera plays, looping): the QR for 1.5 s, then 1.5 s of nothing. */
function qrVideo(code: string): Buffer {
  const { size, dark } = qrModules(code)
  const scale = Math.floor(Math.min(W, H) * 0.6 / (size + 8))
  const left = Math.floor((W - size * scale) / 2)
  const top = Math.floor((H - size * scale) / 2)
  const withQr = Buffer.alloc(W * H, 235)
  for (let y = 0; y < size * scale; y++) {
    for (let x = 0; x < size * scale; x++) {
      if (dark(Math.floor(x / scale), Math.floor(y / scale))) withQr[(top + y) * W + left + x] = 16
    }
  }
  const blank = Buffer.alloc(W * H, 120)
  const chroma = Buffer.alloc(W * H / 2, 128)
  const frames: Buffer[] = [Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`)]
  for (let i = 0; i < 30; i++) frames.push(Buffer.from('FRAME\n'), i < 15 ? withQr : blank, chroma)
  return Buffer.concat(frames)
}

describe('the gate with a camera, online then offline', { timeout: BROWSER_TEST_TIMEOUT * 2 }, () => {
  const suite = browserSuite()
  const dir = mkdtempSync(join(tmpdir(), 'gate-'))
  const profile = join(dir, 'profile')
  let ids: { eventId: string; scannerEmail: string; managerEmail: string; first: { id: string; code: string }; second: { id: string; code: string }; third: { id: string; code: string } }

  beforeAll(async () => {
    const db = suite.db
    const ring = await parseKeyRing(newKeyEntry('k1'))
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'VIP', price_minor: 500_000, capacity: 5 }] })
    const [first, second, third] = await sellWithCodes(db, ring, event.id, ticketTypes[0]!.id, 3)
    const scanner = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
    const manager = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    await asSystem(db, (trx) => trx.insertInto('scanner_assignments').values({ tenant_id: tenant.id, event_id: event.id, user_id: scanner.id }).execute())
    writeFileSync(join(dir, 'first.y4m'), qrVideo(first!.code))
    writeFileSync(join(dir, 'second.y4m'), qrVideo(second!.code))
    ids = { eventId: event.id, scannerEmail: scanner.email!, managerEmail: manager.email!, first: first!, second: second!, third: third! }
  }, 60_000)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  /** A phone with a camera that films `video`; the same profile each time, as one phone's browser. */
  async function phoneFilming(video: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH, viewport: PHONE_VIEWPORT,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${join(dir, video)}`],
    })
    await context.grantPermissions(['camera'], { origin: suite.server.url })
    const problems: string[] = []
    context.on('weberror', (error) => problems.push(`uncaught: ${error.error().message}`))
    context.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Trusted Type/i.test(message.text())) problems.push(message.text())
    })
    return { context, page: context.pages()[0] ?? await context.newPage(), problems }
  }

  const verdict = (page: Page) => page.locator('.verdict strong').textContent({ timeout: 20_000 })

  it('passes axe and the policy without a camera, and keeps the manual field', async () => {
    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.goto(`${suite.server.url}/login?next=/scan/events/${ids.eventId}`)
    await page.getByLabel('Email').fill(ids.scannerEmail)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('h1').textContent()).not.toBe('Sign in')
    await page.goto(`${suite.server.url}/scan/events/${ids.eventId}`)
    await expect.poll(() => page.getByLabel('Ticket code').isVisible()).toBe(true)
    await expectCleanPage(page, 'scanner page')
  })

  it('on a browser without WebCrypto Ed25519, checks a typed code offline through @noble/curves', async () => {
    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.context().addInitScript(() => {
      const subtle = crypto.subtle, importKey = subtle.importKey.bind(subtle), verify = subtle.verify.bind(subtle)
      const ed = (a: unknown) => a === 'Ed25519' || (a as { name?: string })?.name === 'Ed25519'
      const refuse = () => Promise.reject(new DOMException('Ed25519 is not supported', 'NotSupportedError'))
      subtle.importKey = ((f: never, d: never, a: never, e: never, u: never) => (ed(a) ? refuse() : importKey(f, d, a, e, u))) as typeof subtle.importKey
      subtle.verify = ((a: never, k: never, s: never, d: never) => (ed(a) ? refuse() : verify(a, k, s, d))) as typeof subtle.verify
    })
    const requested: string[] = []
    page.on('request', (request) => requested.push(new URL(request.url()).pathname))
    await page.goto(`${suite.server.url}/login?next=/scan/events/${ids.eventId}`)
    await page.getByLabel('Email').fill(ids.scannerEmail)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`**/scan/events/${ids.eventId}`)
    await expect.poll(() => page.locator('.state').textContent(), { timeout: 20_000 }).toContain('Ticket list updated')
    await page.context().setOffline(true)
    await page.getByLabel('Ticket code').fill(ids.third.code)
    await page.getByRole('button', { name: 'Check' }).click()
    await expect.poll(() => verdict(page)).toBe('VALID')
    expect(await page.locator('.verdict').last().textContent()).toContain('Checked on this phone')
    expect(requested).toContain(ASSETS.ed25519)
    await page.context().setOffline(false)
    await page.evaluate(() => dispatchEvent(new Event('online')))
    await expect.poll(() => asSystem(suite.db, (trx) => trx.selectFrom('scans').select(['scan_result', 'offline'])
      .where('ticket_id', '=', ids.third.id).execute()), { timeout: 20_000 }).toEqual([{ scan_result: 'valid', offline: true }])
    await page.context().close()
  })

  it('VALID, then ALREADY USED from the camera; offline after a restart: VALID on the phone, synced when back online', async () => {
    const online = await phoneFilming('first.y4m')
    // the gate's name, typed once on this phone, goes with every scan
    await online.context.addInitScript(() => localStorage.setItem('gate:name', 'North'))
    const page = online.page
    await page.goto(`${suite.server.url}/login?next=/scan/events/${ids.eventId}`)
    await page.getByLabel('Email').fill(ids.scannerEmail)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`**/scan/events/${ids.eventId}`)
    await expect.poll(() => verdict(page), { timeout: 30_000 }).toBe('VALID')
    await screenshot(page, 'gate-1-valid')
    await expect.poll(() => verdict(page), { timeout: 30_000 }).toBe('ALREADY USED')
    await screenshot(page, 'gate-2-already-used')
    expect(await page.locator('.verdict').last().textContent()).toContain('gate North')
    expect(await asSystem(suite.db, (trx) => trx.selectFrom('scans').select('gate').where('ticket_id', '=', ids.first.id).where('scan_result', '=', 'valid')
      .executeTakeFirstOrThrow())).toEqual({ gate: 'North' })
    // ready for offline: the manifest is kept and the service worker holds the page
    await expect.poll(() => page.evaluate(async () => !!(await caches.match(location.pathname)) && !!navigator.serviceWorker.controller), { timeout: 20_000 }).toBe(true)
    await expect.poll(() => page.locator('.state').textContent()).toContain('Ticket list updated')
    expect(online.problems).toEqual([])
    await online.context.close()

    const offline = await phoneFilming('second.y4m')
    await offline.context.setOffline(true)
    const again = offline.page
    await again.goto(`${suite.server.url}/scan/events/${ids.eventId}`)
    await expect.poll(() => again.locator('.state').textContent(), { timeout: 20_000 }).toContain('Offline')
    await expect.poll(() => verdict(again), { timeout: 30_000 }).toBe('VALID')
    await expect.poll(() => again.locator('.verdict').last().textContent()).toContain('Checked on this phone')
    await screenshot(again, 'gate-3-valid-offline')
    await expect.poll(() => again.locator('.state').textContent()).toContain('1 scans waiting')
    const before = await asSystem(suite.db, (trx) => trx.selectFrom('scans').select('id').where('ticket_id', '=', ids.second.id).execute())
    expect(before).toEqual([])

    await offline.context.setOffline(false)
    await again.evaluate(() => dispatchEvent(new Event('online')))
    await expect.poll(() => asSystem(suite.db, (trx) => trx.selectFrom('scans').select(['scan_result', 'offline', 'entered'])
      .where('ticket_id', '=', ids.second.id).execute()), { timeout: 30_000 })
      .toEqual([{ scan_result: 'valid', offline: true, entered: true }])
    await expect.poll(() => again.locator('.state').textContent()).not.toContain('waiting')
    expect(offline.problems).toEqual([])
    await offline.context.close()

    const manager = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await manager.goto(`${suite.server.url}/login?next=/manage/events/${ids.eventId}/attendance`)
    await manager.getByLabel('Email').fill(ids.managerEmail)
    await manager.getByLabel('Password').fill(TEST_PASSWORD)
    await manager.getByRole('button', { name: 'Sign in' }).click()
    await manager.waitForURL(`**/manage/events/${ids.eventId}/attendance`)
    await expect.poll(() => manager.locator('#attendance-figures').textContent()).toContain('3 of 3')
    await expect.poll(() => manager.locator('#scan-log').textContent()).toContain(ids.second.id.slice(0, 8))
    // every table becomes label/value cards on a phone: nothing wider than the screen
    expect(await manager.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(manager, 'gate-4-attendance')
    await expectCleanPage(manager, 'attendance page')
  })
})
