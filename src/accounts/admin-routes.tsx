/** The super admin portal: approve or suspend organisers, set their commission, and read the audit log. */
import type { Context } from 'hono'
import { z } from 'zod'
import { AdminPage } from '../../views/accounts/admin-page.tsx'
import { AuditPage } from '../../views/accounts/audit-page.tsx'
import { AUDIT_PAGE_SIZE, listPlatformAudit, parseAuditQuery, tenantsForAuditFilter } from '../audit/audit-queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { DomainError } from '../lib/domain-errors.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, type FieldErrors } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { listTenantsForAdmin, setCommission, setTenantStatus } from './admin-service.ts'
import { withUserContext } from './current-user.ts'
import { commissionForm } from './form-schemas.ts'
import { requireSuperAdmin, signedInUser } from './guards.ts'

export const adminRoutes = factory.createApp()
adminRoutes.use('/admin', requireSuperAdmin)
adminRoutes.use('/admin/*', requireSuperAdmin)

async function adminPage(c: Context<AppEnv>, options: { status?: 200 | DomainError['status']; errors?: FieldErrors } = {}) {
  const tenants = await withUserContext(c, (trx) => listTenantsForAdmin(trx))
  return renderPage(c, {
    title: c.var.t('admin.title'),
    status: options.status,
    body: <AdminPage t={c.var.t} tenants={tenants} errors={options.errors}
      notice={c.req.query('notice') === 'updated' ? c.var.t('admin.updated') : undefined} />,
  })
}

adminRoutes.get('/admin', (c) => adminPage(c))

const tenantIdParam = z.uuid()

function tenantIdOf(c: Context<AppEnv>): string {
  const id = tenantIdParam.safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  return id.data
}

for (const [action, status] of [['approve', 'active'], ['suspend', 'suspended']] as const) {
  adminRoutes.post(`/admin/tenants/:id/${action}`, async (c) => {
    const tenantId = tenantIdOf(c)
    await withUserContext(c, (trx) => setTenantStatus(trx, signedInUser(c).id, tenantId, status, c.var.now))
    return c.redirect('/admin?notice=updated', 303)
  })
}

adminRoutes.post('/admin/tenants/:id/commission', async (c) => {
  const tenantId = tenantIdOf(c)
  const form = await readForm(c, commissionForm)
  if (!form.ok) return adminPage(c, { status: 422, errors: { _form: form.errors.percent ?? c.var.t('form.percent') } })
  try {
    await withUserContext(c, (trx) => setCommission(trx, signedInUser(c).id, tenantId, form.data.percent, c.var.now))
  } catch (error) {
    const failure = formError(c, error)
    return adminPage(c, { status: failure.status, errors: failure.errors })
  }
  return c.redirect('/admin?notice=updated', 303)
})

/** /admin/audit: every entry of the platform, filtered by tenant, actor, action and days. */
adminRoutes.get('/admin/audit', async (c) => {
  const query = parseAuditQuery(c.req.query(), { tenants: true })
  const { tenants, page } = await withUserContext(c, async (trx) => ({
    tenants: await tenantsForAuditFilter(trx),
    page: await listPlatformAudit(trx, query),
  }))
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('audit.title'),
    body: <AuditPage t={c.var.t} lang={c.var.lang} scope="platform" tenants={tenants} query={query} entries={page.entries}
      total={page.total} pages={Math.max(1, Math.ceil(page.total / AUDIT_PAGE_SIZE))} action="/admin/audit" />,
  })
})
