/**
 * The ticket template guide in a browser at 1280×800: a manager uploads a background through the page's
 * own form, sees it behind the zones of the diagram, fetches the sample PDF and removes the template.
 * The page passes the accessibility and Content-Security-Policy checks of every browser test.
 */
import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { pngWith } from '../support/png.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, DESKTOP_VIEWPORT, screenshot } from './harness.ts'

const ring = await parseKeyRing(newKeyEntry('k1'))

/** An A6-shaped RGB PNG: a warm gradient with a darker band at the top, as an organiser's design might be. */
function designPng(width = 310, height = 437): Uint8Array {
  const rows: number[] = []
  for (let y = 0; y < height; y++) {
    rows.push(0)
    for (let x = 0; x < width; x++) {
      const band = y < 40 ? 0.6 : 1
      rows.push(Math.round((200 + (55 * x) / width) * band), Math.round((120 + (80 * y) / height) * band), Math.round(60 * band))
    }
  }
  return pngWith({ width, height }, deflateSync(Buffer.from(rows)))
}

describe('the ticket template guide in a browser', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite({ deps: { secretKeys: ring } })

  it('shows the page size and zones, takes an upload, previews a sample and removes the template', async () => {
    const tenant = await createTenant(suite.db, { name: 'Sauti Live Ltd' })
    const { event } = await createEvent(suite.db, tenant.id, { title: 'Sauti za Pwani' })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    const page = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(manager.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()

    await page.goto(`${suite.server.url}/manage/events/${event.id}`)
    await page.getByRole('link', { name: 'Template and layout guide' }).click()
    await expect.poll(() => page.url()).toContain(`/manage/events/${event.id}/template`)
    expect(await page.locator('svg.template-diagram g[data-zone]').count()).toBe(3)
    await expectCleanPage(page, 'template guide, none yet')

    await page.locator('#guide-template-file').setInputFiles({ name: 'design.png', mimeType: 'image/png', buffer: Buffer.from(designPng()) })
    await page.locator('form[enctype="multipart/form-data"] button').click()
    await expect.poll(() => page.locator('.notice').first().textContent()).toContain('Uploaded.')
    expect(await page.locator('svg.template-diagram image').count()).toBe(1)
    // the background really loaded (its tenant's staff may see it) and fills the diagram
    expect(await page.locator('svg.template-diagram image').evaluate((image) => (image as SVGImageElement).getBBox().width)).toBe(298)
    await expectCleanPage(page, 'template guide, with a template')
    const shot = await screenshot(page, 'ticket-template-1-desktop')
    expect(shot).toMatch(/ticket-template-1-desktop\.png$/)

    const sample = await page.request.get(`${suite.server.url}/manage/events/${event.id}/template/sample.pdf`)
    expect(sample.status()).toBe(200)
    expect(sample.headers()['content-type']).toBe('application/pdf')
    expect(new TextDecoder('latin1').decode(await sample.body())).toContain('/Subtype /Image')

    await page.getByRole('button', { name: 'Remove the template' }).click()
    await expect.poll(() => page.locator('.notice').first().textContent()).toContain('Template removed')
    expect(await page.locator('svg.template-diagram image').count()).toBe(0)
  })
})
