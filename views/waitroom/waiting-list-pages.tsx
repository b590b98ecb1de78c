/** The waiting list's pages: the sign-up form of an event's sold-out types, and the offer a link brings. */
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { valueOf } from '../../src/http/forms.ts'
import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { Field, FormProblem, Notice } from '../components/form.tsx'

export interface WaitingListPageProps {
  t: Translator
  slug: string
  title: string
  /** The event's sold-out ticket types, the ones a buyer may wait for. */
  types: Array<{ id: string; name: string }>
  values: FormValues
  errors?: FieldErrors
  joined?: boolean
}

export function WaitingListPage({ t, slug, title, types, values, errors, joined }: WaitingListPageProps) {
  const chosen = valueOf(values, 'ticketTypeId') || types[0]?.id
  return (
    <article id="waiting-list">
      <h1>{t('waitlist.title', { title })}</h1>
      {joined && <Notice kind="success">{t('waitlist.joined')}</Notice>}
      {types.length === 0 && <p>{t('waitlist.none')} <a href={`/events/${slug}`}>{t('waitroom.toEvent')}</a></p>}
      {types.length > 0 && (
        <form method="post" action={`/events/${slug}/waiting-list`} class="stack">
          <p class="muted">{t('waitlist.intro')}</p>
          <FormProblem errors={errors} summary={t('form.fixErrors')} />
          <fieldset>
            <legend>{t('waitlist.type')}</legend>
            {types.map((type) => (
              <label class="check"><input type="radio" name="ticketTypeId" value={type.id} checked={type.id === chosen} /> {type.name}</label>
            ))}
            {errors?.ticketTypeId && <span class="field-error">{errors.ticketTypeId}</span>}
          </fieldset>
          <Field name="contact" label={t('waitlist.contact')} autocomplete="email" values={values} errors={errors} />
          <button type="submit">{t('waitlist.submit')}</button>
        </form>
      )}
    </article>
  )
}

export interface OfferPageProps {
  t: Translator
  lang: Lang
  title: string
  typeName: string
  until: Date
  action: string
}

export function OfferPage({ t, lang, title, typeName, until, action }: OfferPageProps) {
  return (
    <article>
      <h1>{t('waitlist.offer.title', { title })}</h1>
      <p>{t('waitlist.offer.body', { type: typeName, time: formatDateTime(until, lang) })}</p>
      <form method="post" action={action}><button type="submit">{t('waitlist.offer.claim')}</button></form>
    </article>
  )
}
