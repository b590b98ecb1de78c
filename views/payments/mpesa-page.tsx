import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import type { Translator } from '../../src/i18n/index.ts'
import { Field, FormProblem, Notice, Select } from '../components/form.tsx'

export interface StoredCredentials {
  environment: 'sandbox' | 'production'
  account_type: 'paybill' | 'till'
  shortcode: string
  b2c_shortcode: string | null
  consumer_key_hint: string
}

export interface MpesaPageProps {
  t: Translator
  stored?: StoredCredentials
  configured: boolean
  notice?: { kind: 'success' | 'error'; text: string }
  values?: FormValues
  errors?: FieldErrors
}

export function MpesaPage({ t, stored, configured, notice, values, errors }: MpesaPageProps) {
  const current: FormValues = values ?? {
    environment: stored?.environment ?? 'sandbox', accountType: stored?.account_type ?? 'paybill', shortcode: stored?.shortcode ?? '',
    b2cShortcode: stored?.b2c_shortcode ?? '',
  }
  return (
    <section class="narrow">
      <p><a href="/manage">← {t('manage.title')}</a></p>
      <h1>{t('mpesa.title')}</h1>
      <p class="muted">{t('mpesa.intro')}</p>
      {!configured && <Notice kind="error">{t('mpesa.notConfigured')}</Notice>}
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <p>
        {stored
          ? t('mpesa.stored', {
            environment: t(stored.environment === 'sandbox' ? 'mpesa.sandbox' : 'mpesa.production'),
            shortcode: stored.shortcode, hint: `••••${stored.consumer_key_hint}`,
          })
          : t('mpesa.none')}
      </p>
      {stored && (
        <form method="post" action="/manage/mpesa/test"><button class="secondary">{t('mpesa.test')}</button></form>
      )}
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action="/manage/mpesa" class="stack" autocomplete="off">
        <Select name="environment" label={t('mpesa.environment')} values={current} errors={errors}
          options={[['sandbox', t('mpesa.sandbox')], ['production', t('mpesa.production')]]} />
        <Select name="accountType" label={t('mpesa.accountType')} values={current} errors={errors}
          options={[['paybill', t('mpesa.paybill')], ['till', t('mpesa.till')]]} />
        <Field name="shortcode" label={t('mpesa.shortcode')} inputmode="numeric" values={current} errors={errors} />
        {stored && <p class="muted">{t('mpesa.keepHint')}</p>}
        <Field name="consumerKey" type="password" label={t('mpesa.consumerKey')} required={!stored} autocomplete="off" errors={errors} />
        <Field name="consumerSecret" type="password" label={t('mpesa.consumerSecret')} required={!stored} autocomplete="off" errors={errors} />
        <Field name="passkey" type="password" label={t('mpesa.passkey')} required={!stored} autocomplete="off" errors={errors} />
        <p class="muted">{t('mpesa.initiatorHint')}</p>
        <Field name="initiatorName" type="password" label={t('mpesa.initiatorName')} required={false} autocomplete="off" errors={errors} />
        <Field name="securityCredential" type="password" label={t('mpesa.securityCredential')} required={false} autocomplete="off" errors={errors} />
        <p class="muted">{t('mpesa.b2cShortcodeHint')}</p>
        <Field name="b2cShortcode" label={t('mpesa.b2cShortcode')} inputmode="numeric" required={false} values={current} errors={errors} />
        <button>{t('mpesa.save')}</button>
      </form>
    </section>
  )
}
