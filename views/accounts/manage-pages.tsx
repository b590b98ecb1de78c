import type { Membership } from '../../src/accounts/people.ts'
import type { PendingInvitation } from '../../src/accounts/staff-service.ts'
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { Field, FormProblem, Notice } from '../components/form.tsx'

interface EventRow {
  id: string
  title: string
  status: string
  starts_at: Date
}

export function TenantStatusNotice({ t, membership }: { t: Translator; membership: Membership }) {
  if (membership.tenantStatus === 'pending') return <Notice>{t('manage.pending')}</Notice>
  if (membership.tenantStatus === 'suspended') return <Notice kind="error">{t('manage.suspended')}</Notice>
  return null
}

export function ManageHome({ t, lang, membership, events }: { t: Translator; lang: Lang; membership: Membership; events: EventRow[] }) {
  return (
    <section>
      <h1>{membership.tenantName}</h1>
      <p class="muted">{t('manage.title')}</p>
      <TenantStatusNotice t={t} membership={membership} />
      <h2>{t('manage.events')}</h2>
      <p><a class="button" href="/manage/events/new">{t('manage.events.new')}</a> <a href="/manage/events">{t('manage.events')}</a></p>
      {events.length === 0 ? <p class="muted">{t('manage.noEvents')}</p> : (
        <ul class="cards">
          {events.map((event) => (
            <li class="card">
              <a href={`/manage/events/${event.id}`}><strong>{event.title}</strong></a>{' '}
              <span class="badge">{t(`status.${event.status}` as MessageKey)}</span>
              <p class="meta">{formatDateTime(event.starts_at, lang)}</p>
            </li>
          ))}
        </ul>
      )}
      <p><a href="/manage/staff">{t('manage.staff')}</a> · <a href="/manage/mpesa">{t('mpesa.title')}</a> · <a href="/manage/payments">{t('payments.recon.title')}</a> · <a href="/manage/audit">{t('audit.title')}</a> · <a href="/manage/reports">{t('analytics.reports.title')}</a></p>
    </section>
  )
}

interface StaffRow {
  id: string
  name: string | null
  email: string | null
  role: 'manager' | 'scanner'
}

export interface StaffPageProps {
  t: Translator
  lang: Lang
  staff: StaffRow[]
  invitations: PendingInvitation[]
  events: EventRow[]
  assignments: Array<{ user_id: string; event_id: string }>
  currentUserId: string
  notice?: string
  values?: FormValues
  errors?: FieldErrors
}

export function StaffPage({ t, lang, staff, invitations, events, assignments, currentUserId, notice, values, errors }: StaffPageProps) {
  return (
    <section>
      <h1>{t('manage.staff')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <ul class="cards">
        {staff.map((member) => (
          <li class="card">
            <strong>{member.name ?? member.email}</strong>{' '}
            <span class="badge">{t(member.role === 'manager' ? 'manage.role.manager' : 'manage.role.scanner')}</span>
            <p class="meta">{member.email}</p>
            {member.role === 'scanner' && (
              <form method="post" action={`/manage/staff/${member.id}/events`} class="stack">
                <fieldset>
                  <legend>{t('manage.staff.events')}</legend>
                  {events.map((event) => (
                    <label class="check">
                      <input type="checkbox" name="eventIds" value={event.id}
                        checked={assignments.some((a) => a.user_id === member.id && a.event_id === event.id)} />
                      {' '}{event.title}
                    </label>
                  ))}
                </fieldset>
                <button class="secondary">{t('manage.staff.saveEvents')}</button>
              </form>
            )}
            {member.id !== currentUserId && (
              <form method="post" action={`/manage/staff/${member.id}/remove`}>
                <button class="secondary danger">{t('manage.staff.remove')}</button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {invitations.length > 0 && (
        <>
          <h2>{t('manage.invitations.title')}</h2>
          <ul class="cards">
            {invitations.map((invitation) => (
              <li class="card">
                <strong>{invitation.email}</strong>{' '}
                <span class="badge">{t(invitation.role === 'manager' ? 'manage.role.manager' : 'manage.role.scanner')}</span>
                <p class="meta">
                  {t('manage.invitations.sent', { when: formatDateTime(invitation.sentAt, lang) })} ·{' '}
                  {t('manage.invitations.expires', { when: formatDateTime(invitation.expiresAt, lang) })}
                </p>
                <form method="post" action={`/manage/staff/invitations/${invitation.id}/withdraw`}>
                  <button class="secondary danger">{t('manage.invitations.revoke')}</button>
                </form>
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('manage.staff.invite')}</h2>
      <form method="post" action="/manage/staff/invite" class="stack">
        <Field name="email" type="email" label={t('auth.email')} values={values} errors={errors} />
        <p class="field">
          <label for="f-role">{t('manage.staff.role')}</label>
          <select id="f-role" name="role">
            <option value="scanner">{t('manage.role.scanner')}</option>
            <option value="manager">{t('manage.role.manager')}</option>
          </select>
          {errors?.role && <span class="field-error">{errors.role}</span>}
        </p>
        <button>{t('manage.staff.inviteSubmit')}</button>
      </form>
    </section>
  )
}
