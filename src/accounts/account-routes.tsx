/** A signed-in person's own pages: profile, confirmations, sessions, applying to sell, invitations. */
import type { Context } from 'hono'
import { z } from 'zod'
import { AccountPage, ApplyPage, SessionsPage } from '../../views/accounts/account-pages.tsx'
import { recordAudit } from '../audit/audit-log.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { formatCount } from '../i18n/format.ts'
import type { MessageKey } from '../i18n/index.ts'
import { resendEmailVerification } from './auth-service.ts'
import { accountDeps } from './deps.ts'
import { applyForm, phoneCodeForm, phoneForm } from './form-schemas.ts'
import { requireRecentPassword, requireSignIn, signedInUser } from './guards.ts'
import { listActiveSessions, revokeSession, setActiveTenant } from './sessions.ts'
import { acceptInvitation, applyForTenant } from './staff-service.ts'
import { sendPhoneCode, verifyEmail, verifyPhoneCode } from './verification-service.ts'

export const accountRoutes = factory.createApp()

/** Messages a redirect may ask a page to show (`?notice=`); anything else is ignored. */
const NOTICES: Record<string, MessageKey> = {
  verificationSent: 'account.verificationSent',
  passwordReset: 'auth.reset.done',
  emailConfirmed: 'account.emailConfirmed',
  phoneVerified: 'account.phone.verified',
  revoked: 'account.sessions.revoked',
}

function noticeOf(c: Context<AppEnv>): string | undefined {
  const key = NOTICES[c.req.query('notice') ?? '']
  if (!key) return undefined
  const claimed = Number(c.req.query('claimed') ?? 0)
  const text = c.var.t(key)
  return claimed > 0 ? `${text} ${c.var.t('account.ticketsClaimed', { count: formatCount(claimed, c.var.lang) })}` : text
}

/** Where someone goes after signing in: the portal that fits their role. */
accountRoutes.get('/start', requireSignIn, (c) => {
  const user = signedInUser(c)
  if (user.isSuperAdmin) return c.redirect('/admin', 303)
  if (user.activeMembership?.role === 'manager') return c.redirect('/manage', 303)
  if (user.activeMembership?.role === 'scanner') return c.redirect('/scan', 303)
  return c.redirect('/account', 303)
})

function accountPage(c: Context<AppEnv>, options: { status?: 200 | DomainError['status']; errors?: FieldErrors; values?: FormValues; codeSent?: boolean; codeSentTo?: string } = {}) {
  return renderPage(c, {
    title: c.var.t('account.title'),
    status: options.status,
    body: <AccountPage t={c.var.t} user={signedInUser(c)} notice={noticeOf(c)} errors={options.errors} values={options.values}
      codeSent={options.codeSent ?? false} codeSentTo={options.codeSentTo} />,
  })
}

accountRoutes.get('/account', requireSignIn, (c) => accountPage(c))

accountRoutes.post('/account/verify-email', requireSignIn, async (c) => {
  const user = signedInUser(c)
  try {
    if (user.email && !user.emailVerified) await resendEmailVerification(accountDeps(c), user.id, user.email)
  } catch (error) {
    const failure = formError(c, error)
    return accountPage(c, { status: failure.status, errors: failure.errors })
  }
  return c.redirect('/account?notice=verificationSent', 303)
})

accountRoutes.get('/account/verify-email', async (c) => {
  try {
    const claimed = await verifyEmail(accountDeps(c), c.req.query('token') ?? '')
    return c.redirect(`/account?notice=emailConfirmed&claimed=${claimed}`, 303)
  } catch (error) {
    const failure = formError(c, error)
    throw new DomainError(failure.status, 'invalid_token', 'account.verifyInvalid')
  }
})

accountRoutes.post('/account/phone', requireSignIn, async (c) => {
  const form = await readForm(c, phoneForm)
  if (!form.ok) return accountPage(c, { status: 422, errors: form.errors, values: form.values })
  try {
    await sendPhoneCode(accountDeps(c), signedInUser(c).id, form.data.phone)
  } catch (error) {
    const failure = formError(c, error)
    return accountPage(c, { status: failure.status, errors: failure.errors, values: form.values })
  }
  return accountPage(c, { codeSent: true, codeSentTo: form.data.phone, errors: {} })
})

accountRoutes.post('/account/phone/verify', requireSignIn, async (c) => {
  const form = await readForm(c, phoneCodeForm)
  if (!form.ok) return accountPage(c, { status: 422, errors: form.errors, codeSent: true })
  try {
    const claimed = await verifyPhoneCode(accountDeps(c), signedInUser(c).id, form.data.code)
    return c.redirect(`/account?notice=phoneVerified&claimed=${claimed}`, 303)
  } catch (error) {
    const failure = formError(c, error)
    return accountPage(c, { status: failure.status, errors: failure.errors, codeSent: true })
  }
})

accountRoutes.get('/account/sessions', requireSignIn, async (c) => {
  const user = signedInUser(c)
  const sessions = await withContext(c.var.db, SYSTEM, (trx) => listActiveSessions(trx, user.id, c.var.now))
  return renderPage(c, {
    title: c.var.t('account.sessions.title'),
    body: <SessionsPage t={c.var.t} lang={c.var.lang} sessions={sessions} currentId={user.session.id} notice={noticeOf(c)} />,
  })
})

const sessionIdSchema = z.uuid()

accountRoutes.post('/account/sessions/:id/revoke', requireSignIn, requireRecentPassword, async (c) => {
  const user = signedInUser(c)
  const id = sessionIdSchema.safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  const revoked = await withContext(c.var.db, SYSTEM, async (trx) => {
    const done = await revokeSession(trx, user.id, id.data, c.var.now)
    if (done) await recordAudit(trx, { action: 'session_revoked', actorUserId: user.id, targetType: 'session', targetId: id.data })
    return done
  })
  if (!revoked) throw new DomainError(404, 'not_found', 'account.sessions.notFound')
  return c.redirect('/account/sessions?notice=revoked', 303)
})

accountRoutes.get('/manage/apply', requireSignIn, (c) =>
  renderPage(c, { title: c.var.t('apply.title'), body: <ApplyPage t={c.var.t} /> }))

accountRoutes.post('/manage/apply', requireSignIn, async (c) => {
  const t = c.var.t
  const form = await readForm(c, applyForm)
  const page = (status: DomainError['status'], errors: FieldErrors) =>
    renderPage(c, { title: t('apply.title'), status, body: <ApplyPage t={t} values={form.values} errors={errors} /> })
  if (!form.ok) return page(422, form.errors)
  try {
    await applyForTenant(accountDeps(c), signedInUser(c).id, { name: form.data.name, contactPhone: form.data.contactPhone })
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, failure.errors)
  }
  return c.redirect('/manage', 303)
})

accountRoutes.get('/invitations/accept', requireSignIn, async (c) => {
  const user = signedInUser(c)
  const tenant = await acceptInvitation(accountDeps(c), user, c.req.query('token') ?? '')
  await withContext(c.var.db, SYSTEM, (trx) => setActiveTenant(trx, user.session.id, tenant.id))
  return c.redirect('/start', 303)
})
