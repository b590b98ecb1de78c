import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import type { Translator } from '../../src/i18n/index.ts'
import { Field, FormProblem, Notice } from '../components/form.tsx'

interface FormPageProps {
  t: Translator
  values?: FormValues
  errors?: FieldErrors
  notice?: string
}

export function LoginPage({ t, values, errors, next, googleEnabled, notice }: FormPageProps & { next?: string; googleEnabled: boolean }) {
  return (
    <section class="narrow">
      <h1>{t('auth.login.title')}</h1>
      {notice && <Notice>{notice}</Notice>}
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/login" class="stack">
        {next && <input type="hidden" name="next" value={next} />}
        <Field name="email" type="email" label={t('auth.email')} autocomplete="username" values={values} errors={errors} />
        <Field name="password" type="password" label={t('auth.password')} autocomplete="current-password" errors={errors} />
        <button type="submit">{t('auth.login.submit')}</button>
      </form>
      {googleEnabled && <p><a class="button secondary" href="/auth/google">{t('auth.google')}</a></p>}
      <p><a href="/password/forgot">{t('auth.forgotLink')}</a></p>
      <p><a href={withNext('/register', next)}>{t('auth.noAccount')}</a></p>
    </section>
  )
}

/** A link that keeps where the person was going (an invitation, say) through sign-in or registration. */
function withNext(path: string, next: string | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path
}

export function RegisterPage({ t, values, errors, next }: FormPageProps & { next?: string }) {
  return (
    <section class="narrow">
      <h1>{t('auth.register.title')}</h1>
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/register" class="stack">
        {next && <input type="hidden" name="next" value={next} />}
        <Field name="name" label={t('auth.name')} autocomplete="name" values={values} errors={errors} />
        <Field name="email" type="email" label={t('auth.email')} autocomplete="email" values={values} errors={errors} />
        <Field name="password" type="password" label={t('auth.password')} autocomplete="new-password" errors={errors} />
        <Field name="phone" type="tel" label={t('auth.phoneOptional')} autocomplete="tel" inputmode="tel" required={false}
          values={values} errors={errors} />
        <button type="submit">{t('auth.register.submit')}</button>
      </form>
      <p><a href={withNext('/login', next)}>{t('auth.haveAccount')}</a></p>
    </section>
  )
}

export function ForgotPage({ t, values, errors, notice }: FormPageProps) {
  return (
    <section class="narrow">
      <h1>{t('auth.forgot.title')}</h1>
      {notice ? <Notice kind="success">{notice}</Notice> : <p>{t('auth.forgot.intro')}</p>}
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/password/forgot" class="stack">
        <Field name="email" type="email" label={t('auth.email')} autocomplete="email" values={values} errors={errors} />
        <button type="submit">{t('auth.forgot.submit')}</button>
      </form>
    </section>
  )
}

export function ResetPage({ t, token, errors }: FormPageProps & { token: string }) {
  return (
    <section class="narrow">
      <h1>{t('auth.reset.title')}</h1>
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/password/reset" class="stack">
        <input type="hidden" name="token" value={token} />
        <Field name="password" type="password" label={t('auth.newPassword')} autocomplete="new-password" errors={errors} />
        <button type="submit">{t('auth.reset.submit')}</button>
      </form>
    </section>
  )
}

export function ConfirmPasswordPage({ t, errors, next }: FormPageProps & { next: string }) {
  return (
    <section class="narrow">
      <h1>{t('auth.confirm.title')}</h1>
      <p>{t('auth.confirm.intro')}</p>
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/account/confirm-password" class="stack">
        <input type="hidden" name="next" value={next} />
        <Field name="password" type="password" label={t('auth.password')} autocomplete="current-password" errors={errors} />
        <button type="submit">{t('auth.confirm.submit')}</button>
      </form>
    </section>
  )
}
