/**
 * A guest's private link to their tickets (sent with the payment's delivery message). The GET only
 * shows a button: message apps fetch links to draw previews, and that must not use the link up. The
 * POST uses it (once) and signs the guest in on this device, so /tickets shows their tickets.
 */
import type { Context } from 'hono'
import { setCookie } from 'hono/cookie'
import { z } from 'zod'
import { Notice } from '../../views/components/form.tsx'
import { accountDeps } from '../accounts/deps.ts'
import { startSessionFor } from '../accounts/auth-service.ts'
import { setSessionCookie } from '../accounts/current-user.ts'
import { consumeToken, peekToken } from '../accounts/one-time-tokens.ts'
import { findGuest } from '../accounts/verification-service.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { HOLD_COOKIE_OPTIONS, holdCookie } from './hold-page.tsx'
import { resumeReservation } from './resume-link.ts'

export const guestLinkRoutes = factory.createApp()

const secretParam = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/)

function linkGone(c: Context<AppEnv>) {
  return renderPage(c, {
    title: c.var.t('tickets.link.title'),
    status: 410,
    body: (
      <section class="narrow">
        <h1>{c.var.t('tickets.link.title')}</h1>
        <Notice kind="error">{c.var.t('tickets.link.gone')}</Notice>
        <p><a href="/login">{c.var.t('tickets.link.signIn')}</a></p>
      </section>
    ),
  })
}

guestLinkRoutes.get('/tickets/open/:secret', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  const live = secret.success && await withContext(c.var.db, SYSTEM, (trx) => peekToken(trx, 'ticket_link', secret.data, c.var.now))
  c.header('Cache-Control', 'no-store')
  c.header('Referrer-Policy', 'no-referrer')
  if (!live) return linkGone(c)
  const t = c.var.t
  return renderPage(c, {
    title: t('tickets.link.title'),
    body: (
      <section class="narrow">
        <h1>{t('tickets.link.title')}</h1>
        <p>{t('tickets.link.intro')}</p>
        <form method="post" action={`/tickets/open/${secret.data}`}>
          <button>{t('tickets.link.open')}</button>
        </form>
      </section>
    ),
  })
})

guestLinkRoutes.post('/tickets/open/:secret', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  if (!secret.success) return linkGone(c)
  const deps = accountDeps(c)
  const signedIn = await withContext(c.var.db, SYSTEM, async (trx) => {
    const token = await consumeToken(trx, 'ticket_link', secret.data, c.var.now)
    const guest = token && await findGuest(trx, token.target)
    return guest ? startSessionFor(deps, trx, guest) : undefined
  })
  if (!signedIn) return linkGone(c)
  setSessionCookie(c, signedIn.token, signedIn.expiresAt)
  return c.redirect('/tickets', 303)
})

/** A payment-failed message's link back to the hold: the GET shows a button (link previews), the POST reopens it here. */
guestLinkRoutes.get('/reservations/resume/:secret', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  const live = secret.success && await withContext(c.var.db, SYSTEM, (trx) => peekToken(trx, 'reservation_resume', secret.data, c.var.now))
  c.header('Cache-Control', 'no-store')
  c.header('Referrer-Policy', 'no-referrer')
  if (!live) return holdGone(c)
  const t = c.var.t
  return renderPage(c, {
    title: t('hold.resume.title'),
    body: (
      <section class="narrow">
        <h1>{t('hold.resume.title')}</h1>
        <p>{t('hold.resume.intro')}</p>
        <form method="post" action={`/reservations/resume/${secret.data}`}>
          <button>{t('hold.resume.open')}</button>
        </form>
      </section>
    ),
  })
})

guestLinkRoutes.post('/reservations/resume/:secret', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  const hold = secret.success ? await resumeReservation(c.var.db, secret.data, c.var.now) : undefined
  if (!hold) return holdGone(c)
  setCookie(c, holdCookie(hold.id), hold.token, { ...HOLD_COOKIE_OPTIONS, maxAge: 24 * 3600 })
  return c.redirect(`/reservations/${hold.id}`, 303)
})

function holdGone(c: Context<AppEnv>) {
  return renderPage(c, {
    title: c.var.t('hold.resume.title'),
    status: 410,
    body: (
      <section class="narrow">
        <h1>{c.var.t('hold.resume.title')}</h1>
        <Notice kind="error">{c.var.t('hold.resume.gone')}</Notice>
        <p><a href="/">{c.var.t('nav.home')}</a></p>
      </section>
    ),
  })
}
