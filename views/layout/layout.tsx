import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import { LANGUAGES, type Lang, type Translator } from '../../src/i18n/index.ts'
import { styles } from './styles.ts'

export interface LayoutProps {
  lang: Lang
  t: Translator
  title: string
  /** Current path, so the language links come back to the same page. */
  path: string
  children?: Child
}

/** The page shell: mobile-first, no scripts needed, styles inline. */
export function Layout({ lang, t, title, path, children }: LayoutProps) {
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
          <style>{raw(styles)}</style>
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
          </header>
          <main id="main">{children}</main>
          <footer>{t('app.tagline')}</footer>
        </body>
      </html>
    </>
  )
}
