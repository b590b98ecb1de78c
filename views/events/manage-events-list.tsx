import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { EventForm } from './event-form.tsx'

interface EventRow {
  id: string
  title: string
  status: string
  starts_at: Date
  venue_city: string
}

export function ManageEventsList({ t, lang, events }: { t: Translator; lang: Lang; events: EventRow[] }) {
  return (
    <section>
      <h1>{t('manage.events')}</h1>
      <p><a class="button" href="/manage/events/new">{t('manage.events.new')}</a></p>
      {events.length === 0 ? <p class="muted">{t('manage.noEvents')}</p> : (
        <ul class="cards">
          {events.map((event) => (
            <li class="card">
              <a href={`/manage/events/${event.id}`}><h2>{event.title}</h2></a>
              <p class="meta">
                <span class="badge">{t(`status.${event.status}` as MessageKey)}</span>{' '}
                {formatDateTime(event.starts_at, lang)} · {event.venue_city}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function NewEventPage({ t, values, errors }: { t: Translator; values: FormValues; errors?: FieldErrors }) {
  return (
    <section class="narrow">
      <p><a href="/manage/events">← {t('manage.events')}</a></p>
      <h1>{t('manage.events.new')}</h1>
      <EventForm t={t} action="/manage/events" submit={t('manage.events.create')} values={values} errors={errors} />
    </section>
  )
}
