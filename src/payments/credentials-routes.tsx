/** /manage/mpesa: a manager stores the tenant's Daraja credentials and tests them. */
import type { Context } from 'hono'
import { MpesaPage } from '../../views/payments/mpesa-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { DomainError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { darajaBaseUrl, DarajaAuthError, fetchDarajaToken } from './daraja-oauth.ts'
import { credentialsForm, describeCredentials, loadCredentials, saveCredentials } from './mpesa-credentials.ts'

export const credentialsRoutes = factory.createApp()
credentialsRoutes.use('/manage/mpesa', requireManager)
credentialsRoutes.use('/manage/mpesa/*', requireManager)

const tenantOf = (c: Context<AppEnv>) => staffMember(c).tenantId

interface PageState {
  status?: 200 | DomainError['status']
  notice?: { kind: 'success' | 'error'; text: string }
  values?: FormValues
  errors?: FieldErrors
}

async function mpesaPage(c: Context<AppEnv>, state: PageState = {}) {
  const stored = await withUserContext(c, (trx) => describeCredentials(trx, tenantOf(c)))
  const notice = state.notice ?? (c.req.query('notice') === 'saved' ? { kind: 'success' as const, text: c.var.t('mpesa.saved') } : undefined)
  return renderPage(c, {
    title: c.var.t('mpesa.title'),
    status: state.status,
    body: <MpesaPage t={c.var.t} stored={stored} configured={!!c.var.services.secretKeys} notice={notice}
      values={state.values} errors={state.errors} />,
  })
}

credentialsRoutes.get('/manage/mpesa', (c) => mpesaPage(c))

credentialsRoutes.post('/manage/mpesa', async (c) => {
  const form = await readForm(c, credentialsForm)
  // secrets are never echoed back into the page
  const values = {
    environment: form.values.environment ?? '', accountType: form.values.accountType ?? '', shortcode: form.values.shortcode ?? '',
    b2cShortcode: form.values.b2cShortcode ?? '',
  }
  if (!form.ok) return mpesaPage(c, { status: 422, values, errors: form.errors })
  try {
    await withUserContext(c, (trx) => saveCredentials(trx, c.var.services.secretKeys, tenantOf(c), form.data, c.var.now))
  } catch (error) {
    const failure = formError(c, error)
    return mpesaPage(c, { status: failure.status, values, errors: failure.errors })
  }
  return c.redirect('/manage/mpesa?notice=saved', 303)
})

credentialsRoutes.post('/manage/mpesa/test', async (c) => {
  const t = c.var.t
  try {
    const credentials = await withUserContext(c, (trx) => loadCredentials(trx, c.var.services.secretKeys, tenantOf(c)))
    if (!credentials) return mpesaPage(c, { status: 409, notice: { kind: 'error', text: t('mpesa.none') } })
    await fetchDarajaToken(darajaBaseUrl(credentials.environment, c.var.config.darajaBaseUrl), credentials.secrets)
  } catch (error) {
    if (error instanceof DarajaAuthError) {
      const text = t(error.reason === 'rejected' ? 'mpesa.testFailed' : 'mpesa.testUnreachable')
      return mpesaPage(c, { status: error.reason === 'rejected' ? 422 : 502, notice: { kind: 'error', text } })
    }
    const failure = formError(c, error)
    return mpesaPage(c, { status: failure.status, notice: { kind: 'error', text: failure.errors._form! } })
  }
  return mpesaPage(c, { notice: { kind: 'success', text: t('mpesa.testOk') } })
})
