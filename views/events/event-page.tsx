import type { Event } from '../../src/db/schema.ts'
import { formatDate, formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'

interface TicketTypeView {
  id: string
  name: string
  description: string
  price_minor: number
  currency: string
  capacity: number
  sold: number
  sales_start: Date | null
  sales_end: Date | null
}

export interface EventPageProps {
  t: Translator
  lang: Lang
  now: Date
  event: Event & { organiser: string }
  ticketTypes: TicketTypeView[]
}

function availability(t: Translator, lang: Lang, now: Date, type: TicketTypeView) {
  const left = type.capacity - type.sold
  if (left <= 0) return <span class="badge out">{t('event.soldOut')}</span>
  if (type.sales_start && type.sales_start > now) {
    return <span class="badge">{t('event.salesOpen', { date: formatDate(type.sales_start, lang) })}</span>
  }
  if (type.sales_end && type.sales_end <= now) return <span class="badge">{t('event.salesClosed')}</span>
  return <span class="badge">{t('event.ticketsLeft', { count: left })}</span>
}

export function EventPage({ t, lang, now, event, ticketTypes }: EventPageProps) {
  return (
    <article>
      <h1>{event.title}</h1>
      {event.status === 'cancelled' && <p class="notice">{t('event.cancelled')}</p>}
      <p class="muted">{t('event.by', { organiser: event.organiser })}</p>
      <p>
        <strong>{t('event.when')}:</strong>{' '}
        <time datetime={event.starts_at.toISOString()}>{formatDateTime(event.starts_at, lang)}</time>
        <br />
        <strong>{t('event.where')}:</strong> {event.venue_name}
        {event.venue_address && `, ${event.venue_address}`}, {event.venue_city}
      </p>
      {event.description && <p>{event.description}</p>}
      <h2>{t('event.tickets')}</h2>
      <ul class="tiers">
        {ticketTypes.map((type) => (
          <li class="tier">
            <span>
              <strong>{type.name}</strong>
              {type.description && <><br /><span class="muted">{type.description}</span></>}
            </span>
            <span>
              <span class="price">
                {type.price_minor === 0 ? t('event.free') : formatMoney(type.price_minor, type.currency, lang)}
              </span>{' '}
              {availability(t, lang, now, type)}
            </span>
          </li>
        ))}
      </ul>
      {event.terms_and_conditions && (
        <>
          <h2>{t('event.terms')}</h2>
          <p class="muted">{event.terms_and_conditions}</p>
        </>
      )}
    </article>
  )
}
