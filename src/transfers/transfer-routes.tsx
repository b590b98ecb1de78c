/**
 * Transfer pages: the owner starts one from the wallet, confirms it with their code, or cancels it; the
 * recipient opens their link (the GET only shows a form: message apps fetch links for previews) and
 * accepts with their code. A recipient without an account gets the ticket as a guest, signed in here.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { AcceptTransferPage, SenderTransferPage } from '../../views/transfers/transfer-pages.tsx'
import { accountDeps } from '../accounts/deps.ts'
import { startSessionFor } from '../accounts/auth-service.ts'
import { setSessionCookie } from '../accounts/current-user.ts'
import { requireSignIn, signedInUser } from '../accounts/guards.ts'
import { withUserContext } from '../accounts/current-user.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { formatDateTime } from '../i18n/format.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { localPhone } from '../lib/phone.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { findOfferByLink } from './transfer-queries.ts'
import { payTransferFee, senderTransferView } from './transfer-fees.ts'
import { parseCode } from './transfer-rules.ts'
import { transferDeps } from './transfer-deps.ts'
import { acceptTransfer, cancelTransfer, confirmTransfer, resendCode, startTransfer } from './transfer-service.ts'

export const transferRoutes = factory.createApp()

const secretParam = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/)

function uuidParam(c: Context<AppEnv>, name: string): string {
  const id = z.uuid().safeParse(c.req.param(name))
  if (!id.success) throw new NotFoundError()
  return id.data
}

async function formText(c: Context<AppEnv>, name: string): Promise<string> {
  const body = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
  const value = body[name]
  return typeof value === 'string' ? value : ''
}

transferRoutes.post('/tickets/:id/transfer', requireSignIn, async (c) => {
  const ticketId = uuidParam(c, 'id')
  const to = await formText(c, 'to')
  const transferId = await startTransfer(transferDeps(c), { ticketId, userId: signedInUser(c).id, to })
  return c.redirect(`/transfers/${transferId}?notice=sent`, 303)
})

type ShownStatus = 409 | 410 | 422 | 429 | 503

async function senderPage(c: Context<AppEnv>, transferId: string, extras: { error?: string; notice?: keyof typeof NOTICES; phone?: string; status?: ShownStatus } = {}) {
  const user = signedInUser(c)
  const view = await withUserContext(c, (trx) => senderTransferView(trx, transferId, user.id))
  if (!view) throw new NotFoundError()
  const { transfer, fee } = view
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('transfer.title'), status: extras.status,
    body: <SenderTransferPage t={c.var.t} lang={c.var.lang} transfer={transfer} fee={fee} phone={extras.phone ?? localPhone(user.phone)} error={extras.error}
      notice={extras.notice === 'confirmed' && fee && fee.status !== 'paid' ? c.var.t('transfer.notice.confirmedPay') : extras.notice && c.var.t(NOTICES[extras.notice])} />,
  })
}

const NOTICES = {
  sent: 'transfer.notice.codeSent', confirmed: 'transfer.notice.confirmed', cancelled: 'transfer.notice.cancelled', prompt: 'transfer.notice.promptSent',
} as const

transferRoutes.get('/transfers/:id', requireSignIn, async (c) => {
  const notice = c.req.query('notice')
  return senderPage(c, uuidParam(c, 'id'), { notice: notice && notice in NOTICES ? notice as keyof typeof NOTICES : undefined })
})

/** Runs a step whose domain failure re-renders the page with the message (4xx), never a 500. */
async function step(c: Context<AppEnv>, work: () => Promise<void>, onError: (error: DomainError) => Promise<Response>): Promise<Response | undefined> {
  try {
    await work()
    return undefined
  } catch (error) {
    if (!(error instanceof DomainError) || error instanceof NotFoundError) throw error
    return onError(error)
  }
}

const shownStatus = (error: DomainError): ShownStatus =>
  (error.status === 409 || error.status === 410 || error.status === 422 || error.status === 429 || error.status === 503 ? error.status : 422)

transferRoutes.post('/transfers/:id/confirm', requireSignIn, async (c) => {
  const transferId = uuidParam(c, 'id')
  const raw = await formText(c, 'code')
  const failed = await step(c, async () => {
    await confirmTransfer(transferDeps(c), { transferId, userId: signedInUser(c).id, code: parseCode(raw) })
  }, (error) => senderPage(c, transferId, { error: c.var.t(error.messageKey, error.params), status: shownStatus(error) }))
  return failed ?? c.redirect(`/transfers/${transferId}?notice=confirmed`, 303)
})

transferRoutes.post('/transfers/:id/fee', requireSignIn, async (c) => {
  const transferId = uuidParam(c, 'id')
  const phone = await formText(c, 'phone')
  const failed = await step(c, async () => {
    await payTransferFee(transferDeps(c), c.var.services, { transferId, userId: signedInUser(c).id, phone })
  }, (error) => senderPage(c, transferId, { error: c.var.t(error.messageKey, error.params), phone: phone.slice(0, 20), status: shownStatus(error) }))
  return failed ?? c.redirect(`/transfers/${transferId}?notice=prompt`, 303)
})

transferRoutes.post('/transfers/:id/resend', requireSignIn, async (c) => {
  const transferId = uuidParam(c, 'id')
  const failed = await step(c, () => resendCode(transferDeps(c), { transferId, userId: signedInUser(c).id }),
    (error) => senderPage(c, transferId, { error: c.var.t(error.messageKey, error.params), status: shownStatus(error) }))
  return failed ?? c.redirect(`/transfers/${transferId}?notice=sent`, 303)
})

transferRoutes.post('/transfers/:id/cancel', requireSignIn, async (c) => {
  const transferId = uuidParam(c, 'id')
  const failed = await step(c, () => cancelTransfer(transferDeps(c), { transferId, userId: signedInUser(c).id }),
    (error) => senderPage(c, transferId, { error: c.var.t(error.messageKey, error.params), status: shownStatus(error) }))
  return failed ?? c.redirect(`/transfers/${transferId}?notice=cancelled`, 303)
})

function offerGone(c: Context<AppEnv>) {
  return renderPage(c, {
    title: c.var.t('transfer.accept.title'), status: 410,
    body: <section class="narrow"><h1>{c.var.t('transfer.accept.title')}</h1><p class="notice error" role="alert">{c.var.t('transfer.accept.gone')}</p></section>,
  })
}

async function acceptPage(c: Context<AppEnv>, secret: string, extras: { error?: string; notice?: string; status?: ShownStatus } = {}) {
  const offer = await withContext(c.var.db, SYSTEM, async (trx) => findOfferByLink(trx, await sha256Hex(secret), c.var.now))
  c.header('Cache-Control', 'no-store')
  c.header('Referrer-Policy', 'no-referrer')
  if (!offer) return offerGone(c)
  const event = { title: offer.title, when: formatDateTime(offer.starts_at, c.var.lang), venue: `${offer.venue_name}, ${offer.venue_city}` }
  return renderPage(c, {
    title: c.var.t('transfer.accept.title'), status: extras.status,
    body: <AcceptTransferPage t={c.var.t} secret={secret} event={event} error={extras.error} notice={extras.notice} />,
  })
}

transferRoutes.get('/transfers/accept/:secret', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  if (!secret.success) return offerGone(c)
  return acceptPage(c, secret.data, { notice: c.req.query('notice') === 'sent' ? c.var.t('transfer.notice.codeSent') : undefined })
})

transferRoutes.post('/transfers/accept/:secret', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  if (!secret.success) return offerGone(c)
  const raw = await formText(c, 'code')
  let accepted: Awaited<ReturnType<typeof acceptTransfer>> | undefined
  try {
    accepted = await acceptTransfer(transferDeps(c), { link: secret.data, code: parseCode(raw) })
  } catch (error) {
    if (error instanceof NotFoundError) return offerGone(c)
    if (!(error instanceof DomainError)) throw error
    return acceptPage(c, secret.data, { error: c.var.t(error.messageKey, error.params), status: shownStatus(error) })
  }
  const current = c.var.user
  if (current?.id === accepted.recipient.id) return c.redirect('/tickets', 303)
  if (accepted.recipient.is_guest) {
    // whoever holds the link sent to this phone or email and its code is the recipient: as a guest link does
    const deps = accountDeps(c)
    const signedIn = await withContext(c.var.db, SYSTEM, (trx) => startSessionFor(deps, trx, accepted.recipient))
    setSessionCookie(c, signedIn.token, signedIn.expiresAt)
    return c.redirect('/tickets', 303)
  }
  // the ticket went to an existing account: it shows once its owner signs in
  return c.redirect('/login?next=%2Ftickets', 303)
})

transferRoutes.post('/transfers/accept/:secret/resend', async (c) => {
  const secret = secretParam.safeParse(c.req.param('secret'))
  if (!secret.success) return offerGone(c)
  try {
    await resendCode(transferDeps(c), { link: secret.data })
  } catch (error) {
    if (error instanceof NotFoundError) return offerGone(c)
    if (!(error instanceof DomainError)) throw error
    return acceptPage(c, secret.data, { error: c.var.t(error.messageKey, error.params), status: shownStatus(error) })
  }
  return c.redirect(`/transfers/accept/${secret.data}?notice=sent`, 303)
})
