/**
 * Picks the page language: `?lang=` (remembered in a cookie), then the cookie, then Accept-Language,
 * then the configured default.
 */
import { getCookie, setCookie } from 'hono/cookie'
import { isLang, langFromAcceptLanguage, translator } from '../i18n/index.ts'
import { factory } from './factory.ts'

const LANG_COOKIE = 'lang'
const ONE_YEAR_SECONDS = 365 * 24 * 3600

export const language = factory.createMiddleware(async (c, next) => {
  const asked = c.req.query('lang')
  let lang = isLang(asked) ? asked : undefined
  if (lang) {
    setCookie(c, LANG_COOKIE, lang, { path: '/', maxAge: ONE_YEAR_SECONDS, sameSite: 'Lax', httpOnly: true })
  } else {
    const remembered = getCookie(c, LANG_COOKIE)
    lang = isLang(remembered)
      ? remembered
      : langFromAcceptLanguage(c.req.header('accept-language')) ?? c.var.config.defaultLang
  }
  c.set('lang', lang)
  c.set('t', translator(lang))
  await next()
  // Straight onto the response: c.header() on a finished response rebuilds the whole Response, which was a
  // twentieth of the server's CPU on flash-sale queue pages. A response whose headers are immutable (one
  // fetched from elsewhere) still goes that way.
  try {
    c.res.headers.set('Content-Language', lang)
    c.res.headers.append('Vary', 'Accept-Language, Cookie')
  } catch {
    c.header('Content-Language', lang)
    c.header('Vary', 'Accept-Language, Cookie', { append: true })
  }
})
