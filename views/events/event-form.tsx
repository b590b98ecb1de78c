import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import type { Translator } from '../../src/i18n/index.ts'
import { Checkbox, Field, FormProblem, TextArea } from '../components/form.tsx'

export interface EventFormProps {
  t: Translator
  action: string
  submit: string
  values: FormValues
  errors?: FieldErrors
}

/** The event's own fields: details, venue, capacity, terms, transfer and resale rules. */
export function EventForm({ t, action, submit, values, errors }: EventFormProps) {
  const field = { values, errors }
  return (
    <form method="post" action={action} class="stack">
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <h2>{t('section.details')}</h2>
      <Field name="title" label={t('field.title')} {...field} />
      <TextArea name="description" label={t('field.description')} {...field} />
      <Field name="startsAt" type="datetime-local" label={t('field.startsAt')} {...field} />
      <Field name="endsAt" type="datetime-local" label={t('field.endsAt')} required={false} {...field} />
      <Field name="venueName" label={t('field.venueName')} {...field} />
      <Field name="venueAddress" label={t('field.venueAddress')} required={false} {...field} />
      <Field name="venueCity" label={t('field.venueCity')} {...field} />
      <Field name="latitude" label={t('field.latitude')} inputmode="decimal" required={false} {...field} />
      <Field name="longitude" label={t('field.longitude')} inputmode="decimal" required={false} {...field} />
      <Field name="totalCapacity" label={t('field.totalCapacity')} inputmode="numeric" {...field} />
      <Field name="holdMinutes" label={t('field.holdMinutes')} inputmode="numeric" {...field} />
      <TextArea name="terms" label={t('field.terms')} {...field} />
      <Field name="termsUrl" type="url" label={t('field.termsUrl')} required={false} {...field} />
      <h2>{t('section.transfers')}</h2>
      <Checkbox name="allowTransfers" label={t('field.allowTransfers')} values={values} />
      <Field name="maxTransfers" label={t('field.maxTransfers')} inputmode="numeric" {...field} />
      <Field name="transferFee" label={t('field.transferFee')} inputmode="decimal" required={false} {...field} />
      <Checkbox name="allowResale" label={t('field.allowResale')} values={values} />
      <Field name="resalePriceCapPct" label={t('field.resaleCap')} inputmode="numeric" {...field} />
      <Field name="resaleFeePct" label={t('field.resaleFee')} inputmode="numeric" {...field} />
      <button type="submit">{submit}</button>
    </form>
  )
}
