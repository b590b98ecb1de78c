import type { Translator } from '../../src/i18n/index.ts'
import type { FieldErrors } from '../../src/http/forms.ts'
import { FormProblem, Notice } from '../components/form.tsx'

interface TenantRow {
  id: string
  name: string
  status: 'pending' | 'active' | 'suspended'
  commission_rate_bps: number
  contact_email: string | null
  applicant_name: string | null
}

const STATUS_KEYS = { pending: 'admin.status.pending', active: 'admin.status.active', suspended: 'admin.status.suspended' } as const

export function AdminPage({ t, tenants, notice, errors }: { t: Translator; tenants: TenantRow[]; notice?: string; errors?: FieldErrors }) {
  return (
    <section>
      <h1>{t('admin.title')}</h1>
      <p><a href="/admin/audit">{t('audit.title')}</a> · <a href="/admin/dashboard">{t('analytics.admin.link')}</a></p>
      {notice && <Notice kind="success">{notice}</Notice>}
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <h2>{t('admin.tenants')}</h2>
      <ul class="cards">
        {tenants.map((tenant) => (
          <li class="card tenant" data-tenant={tenant.name}>
            <strong>{tenant.name}</strong>{' '}
            <span class={tenant.status === 'active' ? 'badge' : 'badge out'}>{t(STATUS_KEYS[tenant.status])}</span>
            <p class="meta">{[tenant.applicant_name, tenant.contact_email].filter(Boolean).join(' · ')}</p>
            <div class="actions">
              {tenant.status !== 'active' && (
                <form method="post" action={`/admin/tenants/${tenant.id}/approve`}><button>{t('admin.approve')}</button></form>
              )}
              {tenant.status !== 'suspended' && (
                <form method="post" action={`/admin/tenants/${tenant.id}/suspend`}><button class="secondary danger">{t('admin.suspend')}</button></form>
              )}
            </div>
            <form method="post" action={`/admin/tenants/${tenant.id}/commission`} class="inline">
              <label>
                {t('admin.commission')}{' '}
                <input name="percent" inputmode="decimal" size={6} value={(tenant.commission_rate_bps / 100).toString()} />
              </label>{' '}
              <button class="secondary">{t('admin.save')}</button>
            </form>
          </li>
        ))}
      </ul>
    </section>
  )
}
