import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import type { CurrentUser } from '../../src/accounts/people.ts'
import { ASSETS, type Asset } from '../../src/http/static-assets.ts'
import { LANGUAGES, type Lang, type Translator } from '../../src/i18n/index.ts'
import { shellStyles, styles } from './styles.ts'

export interface LayoutProps {
  lang: Lang
  t: Translator
  title: string
  /** Current path, so the language links come back to the same page. */
  path: string
  user: CurrentUser | null
  /** Files of static/assets/ the page runs, in order (deferred; the page works without them). */
  scripts?: readonly Asset[]
  /** Only the shell's styles: for a page that needs no more and is loaded again and again (the waiting room's). */
  compact?: boolean
  /** Seconds until the page loads itself again (a meta refresh in the head); none: it does not. */
  refreshSeconds?: number
  children?: Child
}

function AccountNav({ t, user }: { t: Translator; user: CurrentUser | null }) {
  if (!user) {
    return <nav class="account"><a href="/login">{t('nav.signIn')}</a><a href="/register">{t('nav.register')}</a></nav>
  }
  const role = user.activeMembership?.role
  return (
    <nav class="account">
      {user.isSuperAdmin && <a href="/admin">{t('nav.admin')}</a>}
      {role === 'manager' && <a href="/manage">{t('nav.manage')}</a>}
      {role && <a href="/scan">{t('nav.scan')}</a>}
      <a href="/tickets">{t('nav.tickets')}</a>
      <a href="/account">{t('nav.account')}</a>
      <form method="post" action="/logout"><button class="link">{t('nav.signOut')}</button></form>
    </nav>
  )
}

/** The page shell: mobile-first, no scripts needed, styles inline (allowed by hash: src/http/content-security.ts). */
export function Layout({ lang, t, title, path, user, scripts = [], compact = false, refreshSeconds, children }: LayoutProps) {
  const pageTitle = title === t('app.name') ? title : `${title} · ${t('app.name')}`
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          <title>{pageTitle}</title>
          <meta name="description" content={t('app.tagline')} />
          {refreshSeconds !== undefined && <meta http-equiv="refresh" content={String(refreshSeconds)} />}
          {/* no favicon request: on 2G every request costs a round trip. As markup, not <link>: hono/jsx would
              hoist a <link> into the head it is already in, searching and rewriting the whole page to do it */}
          {raw('<link rel="icon" href="data:,">')}
          <style>{raw(compact ? shellStyles : styles)}</style>
          {scripts.map((name) => <script src={ASSETS[name]} defer></script>)}
        </head>
        <body>
          <a class="skip" href="#main">{t('nav.skipToContent')}</a>
          <header class="top">
            <div class="bar">
              <a class="brand" href="/">{t('app.name')}</a>
              <nav class="langs" aria-label={t('lang.switchLabel')}>
                {LANGUAGES.map((code) => (
                  <a href={`${path}?lang=${code}`} hreflang={code} aria-current={code === lang ? 'true' : undefined}>
                    {t(`lang.${code}`)}
                  </a>
                ))}
              </nav>
            </div>
            <div class="bar sub"><AccountNav t={t} user={user} /></div>
          </header>
          <main id="main">{children}</main>
          <footer>{t('app.tagline')}</footer>
        </body>
      </html>
    </>
  )
}
