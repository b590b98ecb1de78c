import type { EventSummary } from '../../src/events/queries.ts'
import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'

export interface HomePageProps {
  t: Translator
  lang: Lang
  events: EventSummary[]
  heading: string
  /** Present on /events: the search form and what was searched. */
  search?: { q?: string; city?: string }
}

export function HomePage({ t, lang, events, heading, search }: HomePageProps) {
  const searching = !!(search?.q || search?.city)
  return (
    <>
      <h1>{heading}</h1>
      {search
        ? (
          <form method="get" action="/events" class="search" role="search">
            <p class="field"><label for="q">{t('events.searchTitle')}</label><input id="q" name="q" value={search.q ?? ''} /></p>
            <p class="field"><label for="city">{t('events.searchCity')}</label><input id="city" name="city" value={search.city ?? ''} /></p>
            <button type="submit">{t('events.search')}</button>
          </form>
        )
        : <p><a href="/events">{t('events.search')}</a></p>}
      {events.length === 0
        ? <p class="muted">{searching ? t('events.noResults') : t('home.empty')}</p>
        : (
          <ul class="cards">
            {events.map((event) => (
              <li class="card">
                <a href={`/events/${event.slug}`}>
                  <h2>{event.title}</h2>
                </a>
                <p class="meta">
                  <time datetime={event.starts_at.toISOString()}>{formatDateTime(event.starts_at, lang)}</time>
                  {' · '}
                  {event.venue_name}, {event.venue_city}
                </p>
                <p class="meta">{t('event.by', { organiser: event.organiser })}</p>
                <p class="meta">
                  {event.available <= 0
                    ? <span class="badge out">{t('event.soldOut')}</span>
                    : event.min_price_minor !== null && (
                      <span class="price">
                        {event.min_price_minor === 0
                          ? t('event.free')
                          : t('event.fromPrice', { price: formatMoney(event.min_price_minor, event.currency, lang) })}
                      </span>
                    )}
                </p>
              </li>
            ))}
          </ul>
        )}
    </>
  )
}
