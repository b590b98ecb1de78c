/**
 * One URL renders the full page, or only its main fragment for an HTMX request (not boosted, not a
 * history restore), so caches must vary on HX-Request.
 */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import { HtmlEscapedCallbackPhase, resolveCallback } from 'hono/utils/html'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { RecentlyUsed } from '../lib/recently-used.ts'
import { Layout } from '../../views/layout/layout.tsx'
import type { AppEnv } from './app-env.ts'
import type { Asset } from './static-assets.ts'

export function isFragmentRequest(c: Context<AppEnv>): boolean {
  return c.req.header('HX-Request') === 'true' &&
    c.req.header('HX-Boosted') !== 'true' &&
    c.req.header('HX-History-Restore-Request') !== 'true'
}

export interface Page {
  title: string
  body: Child
  status?: ContentfulStatusCode
  /** Scripts of static/assets/ the full page loads (a fragment goes into a page that has them). */
  scripts?: readonly Asset[]
  /** Only the layout's own styles (views/layout/styles.ts shellStyles). */
  compact?: boolean
  /** Seconds until the full page loads itself again (in its head; a fragment has none). */
  refreshSeconds?: number
  /**
   * The page is the same for everyone not signed in who asks with this key in the same language at the same
   * path: rendered once, and kept among the RECENT_PAGES most recent. The key must cover everything the page
   * shows (a queue page's crowd of newcomers all see one page; each placed browser has its own).
   */
  sameForEveryone?: string
}

/** How many pages rendered for everyone alike are kept. */
export const RECENT_PAGES = 64
const recentPages = new RecentlyUsed<string, string>(RECENT_PAGES)

export function renderPage(c: Context<AppEnv>, page: Page) {
  c.header('Vary', 'HX-Request', { append: true })
  if (isFragmentRequest(c)) return c.html(<>{page.body}</>, page.status ?? 200)
  const { lang, t, user } = c.var
  const full = (
    <Layout lang={lang} t={t} title={page.title} path={c.req.path} user={user ?? null} scripts={page.scripts}
      compact={page.compact} refreshSeconds={page.refreshSeconds}>
      {page.body}
    </Layout>
  )
  if (page.sameForEveryone === undefined || user) return c.html(full, page.status ?? 200)
  return renderedForEveryone(`${lang}\n${c.req.path}\n${page.sameForEveryone}`, full).then((html) => c.html(html, page.status ?? 200))
}

async function renderedForEveryone(key: string, full: Child): Promise<string> {
  const known = recentPages.get(key)
  if (known !== undefined) return known
  const html = String(await resolveCallback(full as string, HtmlEscapedCallbackPhase.Stringify, false, {}))
  recentPages.set(key, html)
  return html
}
