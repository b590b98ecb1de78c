import type { CurrentUser } from '../../src/accounts/people.ts'
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { localPhone, maskPhone } from '../../src/lib/phone.ts'
import { Field, FormProblem, Notice } from '../components/form.tsx'

interface PageProps {
  t: Translator
  notice?: string
  values?: FormValues
  errors?: FieldErrors
}

/** `codeSentTo`: the phone a confirmation code just went to, said on the page so the person knows. */
export function AccountPage({ t, user, notice, errors, values, codeSent, codeSentTo }: PageProps & { user: CurrentUser; codeSent: boolean; codeSentTo?: string }) {
  return (
    <section>
      <h1>{t('account.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <p>
        <strong>{user.name}</strong><br />
        {user.email}{' '}
        <span class="badge">{user.emailVerified ? t('account.emailVerified') : t('account.emailNotVerified')}</span>
      </p>
      {!user.emailVerified && user.email && (
        <form method="post" action="/account/verify-email"><button class="secondary">{t('account.resendVerification')}</button></form>
      )}
      <h2>{t('account.phone.title')}</h2>
      {user.phone && (
        <p>{maskPhone(user.phone)} <span class="badge">{user.phoneVerified ? t('account.emailVerified') : t('account.emailNotVerified')}</span></p>
      )}
      {codeSent
        ? (
          <>
            {codeSentTo && <Notice kind="success">{t('account.phone.codeSentTo', { phone: maskPhone(codeSentTo) })}</Notice>}
            <form method="post" action="/account/phone/verify" class="stack">
              <Field name="code" label={t('account.phone.code')} inputmode="numeric" autocomplete="one-time-code" values={values} errors={errors} />
              <button>{t('account.phone.verify')}</button>
            </form>
          </>
        )
        : (
          <form method="post" action="/account/phone" class="stack">
            <Field name="phone" type="tel" label={t('account.phone.title')} inputmode="tel" autocomplete="tel"
              values={values ?? { phone: localPhone(user.phone) ?? '' }} errors={errors} />
            <button class="secondary">{t('account.phone.send')}</button>
          </form>
        )}
      <h2>{t('account.sessions.title')}</h2>
      <p><a href="/account/sessions">{t('account.sessions.title')}</a></p>
      {user.memberships.length === 0 && !user.isSuperAdmin && <p><a href="/manage/apply">{t('account.applyLink')}</a></p>}
    </section>
  )
}

interface SessionRow {
  id: string
  user_agent: string | null
  last_seen_at: Date
}

/** A short name for a browser from its user agent: enough to recognise a device. */
function deviceName(userAgent: string | null, fallback: string): string {
  if (!userAgent) return fallback
  const browser = /(Edg|OPR|Firefox|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[1]?.replace('Edg', 'Edge').replace('OPR', 'Opera')
  const system = ['Android', 'iPhone', 'iPad', 'Windows', 'Mac OS X', 'Linux']
    .find((name) => userAgent.includes(name))?.replace('Mac OS X', 'macOS')
  return [browser, system].filter(Boolean).join(' · ') || fallback
}

export function SessionsPage({ t, lang, sessions, currentId, notice }: PageProps & { lang: Lang; sessions: SessionRow[]; currentId: string }) {
  return (
    <section>
      <h1>{t('account.sessions.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <ul class="cards">
        {sessions.map((session) => (
          <li class="card session">
            <strong>{deviceName(session.user_agent, t('account.sessions.unknownDevice'))}</strong>
            {session.id === currentId && <> <span class="badge">{t('account.sessions.current')}</span></>}
            <p class="meta">{t('account.sessions.lastSeen', { when: formatDateTime(session.last_seen_at, lang) })}</p>
            {session.id !== currentId && (
              <form method="post" action={`/account/sessions/${session.id}/revoke`}>
                <button class="secondary">{t('account.sessions.revoke')}</button>
              </form>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}

export function ApplyPage({ t, values, errors }: PageProps) {
  return (
    <section class="narrow">
      <h1>{t('apply.title')}</h1>
      <p>{t('apply.intro')}</p>
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/manage/apply" class="stack">
        <Field name="name" label={t('apply.organiser')} autocomplete="organization" values={values} errors={errors} />
        <Field name="contactPhone" type="tel" label={t('apply.contactPhone')} inputmode="tel" values={values} errors={errors} />
        <button>{t('apply.submit')}</button>
      </form>
    </section>
  )
}
