import type { EventSummary } from '../../src/events/queries.ts'
import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'

export interface HomePageProps {
  t: Translator
  lang: Lang
  events: EventSummary[]
}

export function HomePage({ t, lang, events }: HomePageProps) {
  return (
    <>
      <h1>{t('home.title')}</h1>
      {events.length === 0
        ? <p class="muted">{t('home.empty')}</p>
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
