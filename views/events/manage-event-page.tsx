import type { Event, EventStatus } from '../../src/db/schema.ts'
import { allowedTransitions } from '../../src/events/status.ts'
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { formatCount, formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { minorToInput } from '../../src/lib/money.ts'
import { toNairobiLocal } from '../../src/lib/nairobi-time.ts'
import { IMAGE_PIXEL_LIMITS } from '../../src/storage/image-check.ts'
import { UPLOAD_RULES } from '../../src/storage/uploads.ts'
import { Field, FormProblem, Notice, TextArea } from '../components/form.tsx'
import { EventForm } from './event-form.tsx'

export interface ManagedTicketType {
  id: string
  name: string
  description: string
  price_minor: number
  currency: string
  capacity: number
  max_per_order: number
  sales_start: Date | null
  sales_end: Date | null
  committed: number
}

/** Form values of a stored event, as the form shows them. */
export function eventValues(event: Event): FormValues {
  return {
    title: event.title, description: event.description, startsAt: toNairobiLocal(event.starts_at),
    endsAt: event.ends_at ? toNairobiLocal(event.ends_at) : '', venueName: event.venue_name,
    venueAddress: event.venue_address, venueCity: event.venue_city,
    latitude: event.venue_latitude?.toString() ?? '', longitude: event.venue_longitude?.toString() ?? '',
    totalCapacity: String(event.total_capacity), holdMinutes: String(event.hold_minutes), terms: event.terms_and_conditions, termsUrl: event.terms_url ?? '',
    allowTransfers: event.allow_transfers ? 'on' : '', allowResale: event.allow_resale ? 'on' : '',
    maxTransfers: String(event.max_transfers), transferFee: minorToInput(event.transfer_fee_minor),
    resalePriceCapPct: String(event.resale_price_cap_pct), resaleFeePct: String(event.resale_fee_pct),
  }
}

export function ticketTypeValues(type: ManagedTicketType): FormValues {
  return {
    name: type.name, description: type.description, price: minorToInput(type.price_minor), capacity: String(type.capacity),
    maxPerOrder: String(type.max_per_order), salesStart: type.sales_start ? toNairobiLocal(type.sales_start) : '',
    salesEnd: type.sales_end ? toNairobiLocal(type.sales_end) : '',
  }
}

function TicketTypeFields({ t, values, errors, idPrefix }: { t: Translator; values: FormValues; errors?: FieldErrors; idPrefix: string }) {
  const field = { values, errors, idPrefix }
  return (
    <>
      <Field name="name" label={t('tt.name')} {...field} />
      <TextArea name="description" label={t('tt.description')} rows={2} {...field} />
      <Field name="price" label={t('tt.price')} inputmode="decimal" {...field} />
      <Field name="capacity" label={t('tt.capacity')} inputmode="numeric" {...field} />
      <Field name="maxPerOrder" label={t('tt.maxPerOrder')} inputmode="numeric" {...field} />
      <Field name="salesStart" type="datetime-local" label={t('tt.salesStart')} required={false} {...field} />
      <Field name="salesEnd" type="datetime-local" label={t('tt.salesEnd')} required={false} {...field} />
    </>
  )
}

export interface ManageEventPageProps {
  t: Translator
  lang: Lang
  event: Event
  ticketTypes: ManagedTicketType[]
  hasTemplate: boolean
  notice?: string
  /** A ticket type was added, saved or deleted: said inside the ticket types, which htmx swaps alone. */
  ticketTypesNotice?: string
  /** Values and errors of the form that was just sent back, keyed by form: 'event', 'new-type', a type id, 'upload'. */
  failed?: { form: string; values: FormValues; errors: FieldErrors }
  /** A new date for an event with sales, waiting for the organiser's confirmation and refund deadline. */
  postpone?: { values: FormValues; sold: number; error?: string }
}

/** Asks before moving an event people hold tickets for: they are told, and may have their money back until the deadline. */
function PostponeConfirmation({ t, lang, action, postpone }: { t: Translator; lang: Lang; action: string; postpone: NonNullable<ManageEventPageProps['postpone']> }) {
  return (
    <div class="card danger-zone" id="postpone">
      <h2>{t('events.postpone.confirmTitle')}</h2>
      <p>{t('events.postpone.confirmIntro', { count: formatCount(postpone.sold, lang) })}</p>
      {postpone.error && <FormProblem errors={{ _form: postpone.error }} summary={t('form.fixErrors')} />}
      <form method="post" action={action} class="stack">
        {Object.entries(postpone.values).filter(([name]) => name !== 'postpone' && name !== 'refundDeadline').map(([name, value]) =>
          (Array.isArray(value) ? value : [value]).map((item) => <input type="hidden" name={name} value={item} />))}
        <input type="hidden" name="postpone" value="confirm" />
        <p class="field">
          <label for="refund-deadline">{t('events.postpone.deadline')}</label>
          <input id="refund-deadline" type="datetime-local" name="refundDeadline" required
            value={typeof postpone.values.refundDeadline === 'string' ? postpone.values.refundDeadline : ''} />
        </p>
        <button class="danger">{t('events.postpone.confirm')}</button>
      </form>
    </div>
  )
}

/**
 * With htmx, the ticket type forms post as usual and swap only #ticket-types out of the page the
 * server answers (the redirect after a change, or the 422 page with the form's errors); without it
 * they are plain forms.
 */
/** The limits an upload form states, from the same rules that check the upload. */
function uploadHint(purpose: keyof typeof UPLOAD_RULES) {
  return { mb: UPLOAD_RULES[purpose].maxBytes / 1024 / 1024, side: IMAGE_PIXEL_LIMITS[purpose].side }
}

function swapsTicketTypes(action: string) {
  return { method: 'post' as const, action, 'hx-post': action, 'hx-target': '#ticket-types', 'hx-select': '#ticket-types', 'hx-swap': 'outerHTML' }
}

export function ManageEventPage({ t, lang, event, ticketTypes, hasTemplate, notice, ticketTypesNotice, failed, postpone }: ManageEventPageProps) {
  const base = `/manage/events/${event.id}`
  const failedOn = (form: string) => (failed?.form === form ? failed : undefined)
  return (
    <section>
      <p><a href="/manage/events">← {t('manage.events')}</a></p>
      <h1>{event.title}</h1>
      <p>
        <span class="badge" data-status={event.status}>{t(`status.${event.status}` as MessageKey)}</span>{' '}
        <span class="muted">{formatDateTime(event.starts_at, lang)}</span>
        {event.postponed_from && <> <span class="muted">({t('events.postponed', { from: formatDateTime(event.postponed_from, lang) })})</span></>}
      </p>
      {notice && <Notice kind="success">{notice}</Notice>}
      {postpone && <PostponeConfirmation t={t} lang={lang} action={base} postpone={postpone} />}
      {failedOn('status') && <FormProblem errors={failedOn('status')!.errors} summary={t('form.fixErrors')} />}
      <div class="actions">
        {allowedTransitions(event.status).filter((to) => to !== 'cancelled').map((to: EventStatus) => (
          <form method="post" action={`${base}/status`}>
            <input type="hidden" name="status" value={to} />
            <button class={to === 'published' ? '' : 'secondary'}>{t(`action.${to}` as MessageKey)}</button>
          </form>
        ))}
        <form method="post" action={`${base}/duplicate`}><button class="secondary">{t('manage.events.duplicate')}</button></form>
        {event.status !== 'draft' && <a class="button secondary" href={`/events/${event.slug}`}>{t('manage.events.viewPublic')}</a>}
        {event.status === 'cancelled' && <a class="button" href={`${base}/refunds`}>{t('refunds.link')}</a>}
        {event.allow_resale && <a class="button secondary" href={`${base}/resale`}>{t('resale.manage.link')}</a>}
        {event.allow_resale && <a class="button secondary" href={`${base}/payouts`}>{t('payouts.link')}</a>}
        <a class="button secondary" href={`${base}/waiting-room`}>{t('waitroom.manage.link')}</a>
      </div>
      {allowedTransitions(event.status).includes('cancelled') && (
        // a second, deliberate tap: cancelling cannot be undone
        <details class="danger-zone">
          <summary>{t('action.cancelled')}…</summary>
          <p class="muted">{t('manage.events.cancelWarning')}</p>
          <form method="post" action={`${base}/status`}>
            <input type="hidden" name="status" value="cancelled" />
            <button class="secondary danger">{t('action.cancelled')}</button>
          </form>
        </details>
      )}

      <div id="ticket-types">
      <h2>{t('section.ticketTypes')}</h2>
      <div aria-live="polite">{ticketTypesNotice && <Notice kind="success">{ticketTypesNotice}</Notice>}</div>
      {ticketTypes.length === 0 && <p class="muted">{t('tt.none')}</p>}
      <ul class="cards">
        {ticketTypes.map((type) => {
          const mine = failedOn(type.id)
          return (
            <li class="card ticket-type">
              <strong>{type.name}</strong> · {formatMoney(type.price_minor, type.currency, lang)}
              <p class="meta">{t('tt.committed', { count: formatCount(type.committed, lang) })} / {formatCount(type.capacity, lang)}</p>
              <details open={!!mine}>
                <summary>{t('manage.events.edit')}</summary>
                <form {...swapsTicketTypes(`${base}/ticket-types/${type.id}`)} class="stack">
                  <FormProblem errors={mine?.errors} summary={t('form.fixErrors')} />
                  <TicketTypeFields t={t} values={mine?.values ?? ticketTypeValues(type)} errors={mine?.errors} idPrefix={`tt-${type.id}`} />
                  <button class="secondary">{t('tt.save')}</button>
                </form>
              </details>
              {type.committed === 0 && (
                <form {...swapsTicketTypes(`${base}/ticket-types/${type.id}/delete`)}>
                  <button class="secondary danger">{t('tt.delete')}</button>
                </form>
              )}
            </li>
          )
        })}
      </ul>
      <details class="card" open={!!failedOn('new-type') || ticketTypes.length === 0}>
        <summary>{t('tt.add')}</summary>
        <form {...swapsTicketTypes(`${base}/ticket-types`)} class="stack">
          <FormProblem errors={failedOn('new-type')?.errors} summary={t('form.fixErrors')} />
          <TicketTypeFields t={t} values={failedOn('new-type')?.values ?? { maxPerOrder: '10' }} errors={failedOn('new-type')?.errors}
            idPrefix="new-type" />
          <button>{t('tt.add')}</button>
        </form>
      </details>
      </div>

      <EventForm t={t} action={base} submit={t('manage.events.save')}
        values={failedOn('event')?.values ?? eventValues(event)} errors={failedOn('event')?.errors} />

      <h2>{t('manage.poster')}</h2>
      {event.poster_urls[0] && <img src={event.poster_urls[0]} alt={t('event.posterAlt', { title: event.title })} class="poster" loading="lazy" />}
      {failedOn('poster') && <FormProblem errors={failedOn('poster')!.errors} summary={t('form.fixErrors')} />}
      <form method="post" action={`${base}/poster`} enctype="multipart/form-data" class="stack">
        <p class="field">
          <label for="poster-file">{t('manage.poster.file')}</label>
          <input id="poster-file" type="file" name="file" accept="image/jpeg,image/png,image/webp" required aria-describedby="poster-hint" />
          <span class="muted" id="poster-hint">{t('manage.poster.hint', uploadHint('poster'))}</span>
        </p>
        <button class="secondary">{t('manage.poster.upload')}</button>
      </form>
      <h2>{t('manage.template')}</h2>
      {hasTemplate && <p>{t('manage.template.current')}</p>}
      <p><a href={`${base}/template`}>{t('template.guide.link')}</a></p>
      {failedOn('template') && <FormProblem errors={failedOn('template')!.errors} summary={t('form.fixErrors')} />}
      <form method="post" action={`${base}/template`} enctype="multipart/form-data" class="stack">
        <p class="field">
          <label for="template-file">{t('manage.template.file')}</label>
          <input id="template-file" type="file" name="file" accept="image/jpeg,image/png,application/pdf" required aria-describedby="template-hint" />
          <span class="muted" id="template-hint">{t('manage.template.hint', uploadHint('ticket_template'))}</span>
        </p>
        <button class="secondary">{t('manage.template.upload')}</button>
      </form>
    </section>
  )
}
