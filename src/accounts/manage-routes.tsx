/** The organiser portal's home, staff management and audit log. Managers of the active tenant only. */
import type { Context } from 'hono'
import { z } from 'zod'
import { AuditPage } from '../../views/accounts/audit-page.tsx'
import { StaffPage } from '../../views/accounts/manage-pages.tsx'
import { AUDIT_PAGE_SIZE, listTenantAudit, parseAuditQuery } from '../audit/audit-queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { DomainError } from '../lib/domain-errors.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { withUserContext } from './current-user.ts'
import { accountDeps } from './deps.ts'
import { assignForm, inviteForm } from './form-schemas.ts'
import { requireManager, staffMember } from './guards.ts'
import { listTenantEvents } from '../events/manage-queries.ts'
import {
  assignScannerEvents, inviteStaff, listPendingInvitations, listScannerAssignments, listStaff, removeStaff, withdrawInvitation,
} from './staff-service.ts'

export const manageRoutes = factory.createApp()
manageRoutes.use('/manage', requireManager)
manageRoutes.use('/manage/staff', requireManager)
manageRoutes.use('/manage/staff/*', requireManager)
manageRoutes.use('/manage/audit', requireManager)

function eventsOfActiveTenant(c: Context<AppEnv>) {
  return withUserContext(c, (trx) => listTenantEvents(trx, staffMember(c).tenantId))
}

// GET /manage, the organiser's home with its dashboard, is src/analytics/dashboard-routes.tsx

const STAFF_NOTICES = {
  invited: 'manage.staff.invited', saved: 'manage.staff.saved', removed: 'manage.staff.removed', withdrawn: 'manage.invitations.revoked',
} as const

async function staffPage(c: Context<AppEnv>, options: { status?: 200 | DomainError['status']; errors?: FieldErrors; values?: FormValues } = {}) {
  const manager = staffMember(c)
  const tenantId = manager.tenantId
  const [staff, assignments] = await withUserContext(c, (trx) =>
    Promise.all([listStaff(trx, tenantId), listScannerAssignments(trx, tenantId)]))
  const invitations = await listPendingInvitations(c.var, tenantId)
  const notice = STAFF_NOTICES[c.req.query('notice') as keyof typeof STAFF_NOTICES]
  return renderPage(c, {
    title: c.var.t('manage.staff'),
    status: options.status,
    body: <StaffPage t={c.var.t} lang={c.var.lang} staff={staff} invitations={invitations} events={await eventsOfActiveTenant(c)} assignments={assignments}
      currentUserId={manager.userId} notice={notice && c.var.t(notice)} errors={options.errors} values={options.values} />,
  })
}

manageRoutes.get('/manage/staff', (c) => staffPage(c))

manageRoutes.post('/manage/staff/invite', async (c) => {
  const form = await readForm(c, inviteForm)
  if (!form.ok) return staffPage(c, { status: 422, errors: form.errors, values: form.values })
  const manager = staffMember(c)
  try {
    await inviteStaff(accountDeps(c), {
      tenantId: manager.tenantId, tenantName: manager.tenantName, invitedBy: manager.userId, ...form.data,
    })
  } catch (error) {
    const failure = formError(c, error)
    return staffPage(c, { status: failure.status, errors: failure.errors, values: form.values })
  }
  return c.redirect('/manage/staff?notice=invited', 303)
})

const userIdParam = z.uuid()

manageRoutes.post('/manage/staff/:userId/events', async (c) => {
  const staffId = userIdParam.safeParse(c.req.param('userId'))
  if (!staffId.success) throw new NotFoundError()
  const form = await readForm(c, assignForm)
  if (!form.ok) return staffPage(c, { status: 422, errors: form.errors })
  const manager = staffMember(c)
  try {
    await withUserContext(c, (trx) =>
      assignScannerEvents(trx, { tenantId: manager.tenantId, userId: manager.userId }, staffId.data, form.data.eventIds))
  } catch (error) {
    const failure = formError(c, error)
    return staffPage(c, { status: failure.status, errors: failure.errors })
  }
  return c.redirect('/manage/staff?notice=saved', 303)
})

manageRoutes.post('/manage/staff/:userId/remove', async (c) => {
  const staffId = userIdParam.safeParse(c.req.param('userId'))
  if (!staffId.success) throw new NotFoundError()
  const manager = staffMember(c)
  try {
    await withUserContext(c, (trx) => removeStaff(trx, { tenantId: manager.tenantId, userId: manager.userId }, staffId.data))
  } catch (error) {
    const failure = formError(c, error)
    return staffPage(c, { status: failure.status, errors: failure.errors })
  }
  return c.redirect('/manage/staff?notice=removed', 303)
})

manageRoutes.post('/manage/staff/invitations/:id/withdraw', async (c) => {
  const invitationId = z.uuid().safeParse(c.req.param('id'))
  if (!invitationId.success) throw new NotFoundError()
  try {
    await withdrawInvitation(c.var, staffMember(c), invitationId.data)
  } catch (error) {
    const failure = formError(c, error)
    return staffPage(c, { status: failure.status, errors: failure.errors })
  }
  return c.redirect('/manage/staff?notice=withdrawn', 303)
})

/**
 * /manage/audit: the active tenant's entries only (RLS and an explicit tenant filter); there is no
 * tenant filter to choose, so `?tenant=` is ignored.
 */
manageRoutes.get('/manage/audit', async (c) => {
  const manager = staffMember(c)
  const query = parseAuditQuery(c.req.query(), { tenants: false })
  const page = await withUserContext(c, (trx) => listTenantAudit(trx, manager.tenantId, query))
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('audit.title'),
    body: <AuditPage t={c.var.t} lang={c.var.lang} scope="tenant" tenantName={manager.tenantName} query={query}
      entries={page.entries} total={page.total} pages={Math.max(1, Math.ceil(page.total / AUDIT_PAGE_SIZE))} action="/manage/audit" />,
  })
})
