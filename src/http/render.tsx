/**
 * One URL renders the full page, or only its main fragment for an HTMX request (not boosted, not a
 * history restore), so caches must vary on HX-Request.
 */
import type { Context } from 'hono'
import type { Child } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
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
}

export function renderPage(c: Context<AppEnv>, page: Page) {
  c.header('Vary', 'HX-Request', { append: true })
  if (isFragmentRequest(c)) return c.html(<>{page.body}</>, page.status ?? 200)
  return c.html(
    <Layout lang={c.var.lang} t={c.var.t} title={page.title} path={c.req.path} user={c.var.user ?? null} scripts={page.scripts}
      compact={page.compact} refreshSeconds={page.refreshSeconds}>
      {page.body}
    </Layout>,
    page.status ?? 200,
  )
}
