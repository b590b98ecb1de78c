/**
 * Browser tests drive Debian's Chromium through playwright-core against the real app served on a free
 * local port. Without Chromium they fail with the command that installs it.
 */
import { serve, type ServerType } from '@hono/node-server'
import { existsSync, mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp, type TestAppOptions } from '../support/app.ts'
import { openFreshDatabase, openTestDatabase } from '../support/database.ts'
import { CHROMIUM_PATH } from '../support/prerequisites.mjs'

export { CHROMIUM_PATH }
export const SCREENSHOT_DIR = join(import.meta.dirname, '../../test-results/screenshots')

/** A browser test visits pages and checks each (tests/browser/axe.ts): more than unit tests' 30 s. */
export const BROWSER_TEST_TIMEOUT = 120_000

/** A desktop screen, for the organiser portal. */
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 }

/** The viewport of a cheap Android phone: buyer pages are checked at this size. */
export const PHONE_VIEWPORT = { width: 360, height: 640 }

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Browser tests need Chromium at ${CHROMIUM_PATH}. \`npm test\` installs Debian's package when it may; ` +
        'otherwise run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium binary).',
    )
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
}

export interface RunningServer {
  url: string
  close(): Promise<void>
}

/**
 * Serves the app on a free port. The URL uses `localhost`, which browsers treat as a secure context, so
 * the `__Host-` session cookie (Secure) works over plain HTTP as it does over HTTPS in production.
 */
export async function serveApp(db: Database, options: TestAppOptions = {}): Promise<RunningServer> {
  const { app } = createTestApp(db, options)
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

export interface BrowserSuite {
  db: Database
  server: RunningServer
  browser: Browser
}

/**
 * The setup every browser test file shares: a database (its own empty one with `fresh`), the app served
 * on it, and Chromium. Call inside `describe`; fields are ready from the first test on.
 */
export function browserSuite(
  options: { fresh?: boolean; now?: () => Date; prepare?: (db: Database) => Promise<unknown>; deps?: TestAppOptions['deps'] } = {},
): BrowserSuite {
  const suite = {} as BrowserSuite
  let closeDatabase: () => Promise<void> = async () => {}
  beforeAll(async () => {
    if (options.fresh) {
      const fresh = await openFreshDatabase()
      suite.db = fresh.db
      closeDatabase = fresh.close
    } else {
      suite.db = await openTestDatabase()
      closeDatabase = () => suite.db.destroy()
    }
    await options.prepare?.(suite.db)
    suite.server = await serveApp(suite.db, { now: options.now, deps: options.deps })
    suite.browser = await launchChromium()
  })
  afterAll(async () => {
    await suite.browser?.close()
    await suite.server?.close()
    await closeDatabase()
  })
  return suite
}
