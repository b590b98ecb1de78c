/** The organiser's waiting-room settings of one event: high demand on or off, the rate, the automatic switch. */
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import type { Translator } from '../../src/i18n/index.ts'
import { Checkbox, Field, FormProblem, Notice } from '../components/form.tsx'

export interface WaitingRoomSettingsProps {
  t: Translator
  eventId: string
  title: string
  values: FormValues
  errors?: FieldErrors
  /** The rate that applies when the field is left empty. */
  defaultRate: number
  saved?: boolean
}

export function WaitingRoomSettingsPage({ t, eventId, title, values, errors, defaultRate, saved }: WaitingRoomSettingsProps) {
  const field = { values, errors, required: false }
  return (
    <article>
      <p><a href={`/manage/events/${eventId}`}>{t('waitroom.manage.back', { title })}</a></p>
      <h1>{t('waitroom.manage.title')}</h1>
      <p class="muted">{t('waitroom.manage.intro')}</p>
      {saved && <Notice kind="success">{t('waitroom.manage.saved')}</Notice>}
      <form method="post" action={`/manage/events/${eventId}/waiting-room`} class="stack">
        <FormProblem errors={errors} summary={t('form.fixErrors')} />
        <Checkbox name="highDemand" label={t('waitroom.manage.highDemand')} values={values} />
        <Field name="admissionPerMinute" label={t('waitroom.manage.rate', { rate: String(defaultRate) })} inputmode="numeric" {...field} />
        <Field name="autoQueueThreshold" label={t('waitroom.manage.threshold')} inputmode="numeric" {...field} />
        <button type="submit">{t('waitroom.manage.save')}</button>
      </form>
    </article>
  )
}
