/**
 * Checks every page a browser test visits: the Content-Security-Policy blocked nothing there (no
 * violation report, no Trusted Types error), and axe-core finds no accessibility violation.
 *
 * Pages run under the real, enforced policy. axe-core is injected as a script, which that policy
 * (rightly) refuses, and it writes innerHTML, which Trusted Types refuse: so axe runs on the same URL,
 * with the same cookies, in a twin context that bypasses CSP.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { expect } from 'vitest'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface Watched {
  /** Uncaught errors and console errors that name CSP or Trusted Types. */
  problems: string[]
}

const watchedContexts = new WeakMap<BrowserContext, Watched>()

/** A browser context whose pages report what the policy blocked. Use it for every page a test visits. */
export async function watchedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext(options)
  const watched: Watched = { problems: [] }
  watchedContexts.set(context, watched)
  await context.addInitScript(() => {
    const seen: string[] = []
    Object.defineProperty(window, '__cspViolations', { value: seen })
    document.addEventListener('securitypolicyviolation', (e) => {
      const on = e.target instanceof Element ? ` on <${e.target.tagName.toLowerCase()} ${[...e.target.attributes].map((a) => a.name).join(' ')}>` : ''
      seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}${on} at ${e.sourceFile}:${e.lineNumber}`)
    })
  })
  context.on('weberror', (error) => watched.problems.push(`uncaught: ${error.error().message}`))
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|TrustedHTML|TrustedScript|Trusted Type/i.test(message.text())) {
      watched.problems.push(`console: ${message.text()}`)
    }
  })
  return context
}

/** A new page in a new watched context. */
export async function watchedPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  return (await watchedContext(browser, options)).newPage()
}

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  targets: string[]
}

/** Runs axe-core on the page's URL in a CSP-bypassing twin; returns its violations. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const context = page.context()
  const browser = context.browser()!
  const twin = await browser.newContext({
    bypassCSP: true,
    viewport: page.viewportSize(),
    storageState: await context.storageState(),
  })
  try {
    const copy = await twin.newPage()
    await copy.goto(page.url(), { waitUntil: 'load' })
    await copy.addScriptTag({ content: AXE_SOURCE })
    return await copy.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }> } }).axe
      const result = await axe.run(document)
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }))
    })
  } finally {
    await twin.close()
  }
}

/**
 * The page as it is now: nothing was blocked by the policy in it (or in its context so far), and
 * axe-core finds no violation on its URL. `allow` names rules a page breaks on purpose, each with its
 * reason at the call (the waiting room's meta refresh, which its page lets the buyer switch off).
 */
export async function expectCleanPage(page: Page, label: string, options: { allow?: readonly string[] } = {}): Promise<void> {
  const violations = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? null)
  expect(violations, `${label}: the page is not in a watchedContext`).not.toBeNull()
  expect(violations, `${label}: blocked by the Content-Security-Policy`).toEqual([])
  const watched = watchedContexts.get(page.context())
  expect(watched?.problems, `${label}: errors`).toEqual([])
  const found = (await axeViolations(page)).filter((violation) => !options.allow?.includes(violation.id))
  expect(found, `${label}: axe-core violations`).toEqual([])
}
