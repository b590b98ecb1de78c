/** Sign-in, registration, sign-out, password resets and re-authentication pages. */
import type { Context } from 'hono'
import { ConfirmPasswordPage, ForgotPage, LoginPage, RegisterPage, ResetPage } from '../../views/accounts/auth-pages.tsx'
import { recordAudit } from '../audit/audit-log.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { DomainError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, valueOf } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { confirmPassword, register, requestPasswordReset, resetPassword, signIn, type SignedIn } from './auth-service.ts'
import { clearSessionCookie, setSessionCookie } from './current-user.ts'
import { accountDeps } from './deps.ts'
import { confirmForm, forgotForm, loginForm, registerForm, resetForm } from './form-schemas.ts'
import { requireSignIn, safeNextPath, signedInUser } from './guards.ts'
import { markReauthenticated, revokeSession } from './sessions.ts'

export const authRoutes = factory.createApp()

/** Where a person lands after signing in: /start picks by role. */
const LANDING = '/start'

function signedInRedirect(c: Context<AppEnv>, signedIn: SignedIn, next: string | undefined) {
  setSessionCookie(c, signedIn.token, signedIn.expiresAt)
  return c.redirect(safeNextPath(next, LANDING), 303)
}

authRoutes.get('/login', (c) => {
  if (c.var.user) return c.redirect(LANDING, 303)
  const next = c.req.query('next')
  return renderPage(c, {
    title: c.var.t('auth.login.title'),
    body: <LoginPage t={c.var.t} next={next && safeNextPath(next, '')} googleEnabled={!!c.var.services.google} />,
  })
})

authRoutes.post('/login', async (c) => {
  const t = c.var.t
  const form = await readForm(c, loginForm)
  // only the safe, normalised next goes back into the form, whatever was posted
  const next = safeNextPath(valueOf(form.values, 'next'), '') || undefined
  const page = (status: 401 | 422 | 429 | DomainError['status'], errors: Record<string, string>) =>
    renderPage(c, {
      title: t('auth.login.title'), status,
      body: <LoginPage t={t} values={form.values} errors={errors} googleEnabled={!!c.var.services.google} next={next} />,
    })
  if (!form.ok) return page(422, form.errors)
  try {
    return signedInRedirect(c, await signIn(accountDeps(c), form.data.email, form.data.password), next)
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, failure.errors)
  }
})

authRoutes.get('/register', (c) => {
  if (c.var.user) return c.redirect(LANDING, 303)
  const next = safeNextPath(c.req.query('next'), '') || undefined
  return renderPage(c, { title: c.var.t('auth.register.title'), body: <RegisterPage t={c.var.t} next={next} /> })
})

authRoutes.post('/register', async (c) => {
  const t = c.var.t
  const form = await readForm(c, registerForm)
  // where the person was going (an invitation's link, say); otherwise their account, to confirm the email
  const next = safeNextPath(valueOf(form.values, 'next'), '') || undefined
  const page = (status: DomainError['status'], errors: Record<string, string>) =>
    renderPage(c, { title: t('auth.register.title'), status, body: <RegisterPage t={t} values={form.values} errors={errors} next={next} /> })
  if (!form.ok) return page(422, form.errors)
  try {
    return signedInRedirect(c, await register(accountDeps(c), form.data), next ?? '/account?notice=verificationSent')
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, failure.errors)
  }
})

authRoutes.post('/logout', async (c) => {
  const user = c.var.user
  if (user) {
    await withContext(c.var.db, SYSTEM, async (trx) => {
      await revokeSession(trx, user.id, user.session.id, c.var.now)
      await recordAudit(trx, { action: 'logout', actorUserId: user.id })
    })
  }
  clearSessionCookie(c)
  return c.redirect('/', 303)
})

authRoutes.get('/password/forgot', (c) =>
  renderPage(c, { title: c.var.t('auth.forgot.title'), body: <ForgotPage t={c.var.t} /> }))

authRoutes.post('/password/forgot', async (c) => {
  const t = c.var.t
  const form = await readForm(c, forgotForm)
  const page = (status: DomainError['status'], extra: { errors?: Record<string, string>; notice?: string }) =>
    renderPage(c, { title: t('auth.forgot.title'), status, body: <ForgotPage t={t} values={form.values} {...extra} /> })
  if (!form.ok) return page(422, { errors: form.errors })
  try {
    await requestPasswordReset(accountDeps(c), form.data.email)
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, { errors: failure.errors })
  }
  return page(200, { notice: t('auth.forgot.sent') })
})

authRoutes.get('/password/reset', (c) => {
  // The token stays out of logs: the request log never records query strings.
  const token = c.req.query('token') ?? ''
  return renderPage(c, { title: c.var.t('auth.reset.title'), body: <ResetPage t={c.var.t} token={token} /> })
})

authRoutes.post('/password/reset', async (c) => {
  const t = c.var.t
  const form = await readForm(c, resetForm)
  const token = typeof form.values.token === 'string' ? form.values.token : ''
  const page = (status: DomainError['status'], errors: Record<string, string>) =>
    renderPage(c, { title: t('auth.reset.title'), status, body: <ResetPage t={t} token={token} errors={errors} /> })
  if (!form.ok) return page(422, form.errors)
  try {
    return signedInRedirect(c, await resetPassword(accountDeps(c), form.data.token, form.data.password), '/account?notice=passwordReset')
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, failure.errors)
  }
})

authRoutes.get('/account/confirm-password', requireSignIn, (c) =>
  renderPage(c, {
    title: c.var.t('auth.confirm.title'),
    body: <ConfirmPasswordPage t={c.var.t} next={safeNextPath(c.req.query('next'), '/account')} />,
  }))

authRoutes.post('/account/confirm-password', requireSignIn, async (c) => {
  const t = c.var.t
  const user = signedInUser(c)
  const form = await readForm(c, confirmForm)
  const next = safeNextPath(typeof form.values.next === 'string' ? form.values.next : undefined, '/account')
  const page = (status: DomainError['status'], errors: Record<string, string>) =>
    renderPage(c, { title: t('auth.confirm.title'), status, body: <ConfirmPasswordPage t={t} next={next} errors={errors} /> })
  if (!form.ok) return page(422, form.errors)
  try {
    await confirmPassword(accountDeps(c), user.id, form.data.password)
  } catch (error) {
    const failure = formError(c, error)
    return page(failure.status, failure.errors)
  }
  await withContext(c.var.db, SYSTEM, (trx) => markReauthenticated(trx, user.session.id, c.var.now))
  return c.redirect(next, 303)
})
