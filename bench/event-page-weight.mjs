#!/usr/bin/env node
/**
 * The event page's first load over the wire: starts the app as `npm start` does (Deno, embedded
 * database, demo data) in a scratch data folder, opens /events/nairobi-jazz-night in headless Chromium
 * at 360x640 with a cold cache, and sums the bytes transferred (headers + compressed bodies) per
 * resource type, posters excluded. Also loads it with JavaScript off. Target: at most 30 KB.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium } from 'playwright-core'

const port = Number(process.env.BENCH_PORT ?? 8766)
const path = process.env.BENCH_PATH ?? '/events/nairobi-jazz-night'
const budget = 30 * 1024
const dataDir = mkdtempSync(join(tmpdir(), 'ticketing-weight-'))
const server = spawn('npm', ['start'], {
  env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '' },
  stdio: ['ignore', 'ignore', 'inherit'],
  detached: true,
})

async function waitForServer() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return
    } catch {}
    await sleep(250)
  }
  throw new Error('the server did not start')
}

async function measure(browser, javaScriptEnabled) {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled })
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
  const types = new Map()
  const sizes = new Map()
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, { type: e.type, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] }))
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength))
  const response = await page.goto(`http://localhost:${port}${path}`, { waitUntil: 'networkidle' })
  const byType = {}
  let total = 0
  for (const [id, bytes] of sizes) {
    const { type } = types.get(id) ?? { type: 'Other' }
    if (type === 'Image') continue
    byType[type] = (byType[type] ?? 0) + bytes
    total += bytes
  }
  const documentEncoding = [...types.values()].find((t) => t.type === 'Document')?.encoding ?? 'none'
  const rendered = await page.locator('.tier').count()
  const html = await response.text()
  await context.close()
  return { total, byType, documentEncoding, rendered, uncompressed: Buffer.byteLength(html) }
}

let exitCode = 1
try {
  await waitForServer()
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  })
  const withJs = await measure(browser, true)
  const withoutJs = await measure(browser, false)
  await browser.close()
  const kb = (n) => `${(n / 1024).toFixed(1)} KB`
  console.log(`event page ${path}, first load at 360x640, cold cache`)
  console.log(`  transferred: ${kb(withJs.total)} (${withJs.total} bytes; budget ${kb(budget)})`)
  console.log(`  by type: ${Object.entries(withJs.byType).map(([t, b]) => `${t} ${b} B`).join(', ')}`)
  console.log(`  HTML: ${withJs.uncompressed} bytes uncompressed, sent with content-encoding ${withJs.documentEncoding}`)
  console.log(`  JavaScript off: ${kb(withoutJs.total)} transferred, ${withoutJs.rendered} ticket types rendered`)
  exitCode = withJs.total <= budget && withoutJs.rendered > 0 ? 0 : 1
  if (exitCode) console.log('FAIL: over budget or not rendered without JavaScript')
} catch (error) {
  console.error(error)
} finally {
  try { process.kill(-server.pid, 'SIGTERM') } catch {}
  await sleep(500)
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(`${dataDir}-secrets.keys`, { force: true })
}
process.exit(exitCode)
