import type { Event } from '../../src/db/schema.ts'
import { salesState } from '../../src/events/availability.ts'
import type { PublicTicketType } from '../../src/events/queries.ts'
import { formatCount, formatDate, formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { isSelling } from '../../src/events/status.ts'
import type { FormValues } from '../../src/http/forms.ts'
import { valueOf } from '../../src/http/forms.ts'
import { Notice } from '../components/form.tsx'
import { ResaleOffers, type ResaleOffer } from '../resale/resale-offers.tsx'

export interface EventPageProps {
  t: Translator
  lang: Lang
  now: Date
  event: Event & { organiser: string }
  ticketTypes: PublicTicketType[]
  /** What the buyer asked for last time and why it did not work. */
  reserve?: { error?: string; values?: FormValues }
  /** Resale tickets on offer (a few; `more` links to the event's resale page). */
  resale?: { offers: Array<ResaleOffer & { ticket_type_id: string }>; more: boolean }
}

function Availability({ t, lang, now, type }: { t: Translator; lang: Lang; now: Date; type: PublicTicketType }) {
  switch (salesState(type, now)) {
    case 'sold_out':
      return <span class="badge out">{t('event.soldOut')}</span>
    case 'not_started':
      return <span class="badge">{t('event.salesOpen', { date: formatDate(type.sales_start!, lang) })}</span>
    case 'ended':
      return <span class="badge">{t('event.salesClosed')}</span>
    default:
      return <span class="badge">{t('event.ticketsLeft', { count: formatCount(type.available, lang) })}</span>
  }
}

export function EventPage({ t, lang, now, event, ticketTypes, reserve, resale }: EventPageProps) {
  const poster = event.poster_urls[0]
  // resale comes first, and stands out, when a type it offers is sold out
  const soldOut = new Set(ticketTypes.filter((type) => salesState(type, now) === 'sold_out').map((type) => type.id))
  const prominent = resale !== undefined && resale.offers.some((offer) => soldOut.has(offer.ticket_type_id))
  const offers = resale && <ResaleOffers t={t} lang={lang} slug={event.slug} offers={resale.offers} prominent={prominent} more={resale.more} />
  const selling = isSelling(event.status) && ticketTypes.some((type) => salesState(type, now) === 'on_sale')
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
      {/* before the tickets, as on a printed poster; its bytes come after the page's (lazy, async), and the
          box is held open (aspect-ratio in the stylesheet) so the buy form does not jump when it arrives */}
      {poster && <img class="poster" src={poster} alt={t('event.posterAlt', { title: event.title })} loading="lazy" decoding="async" />}
      {event.description && <p>{event.description}</p>}
      {prominent && offers}
      <h2>{t('event.tickets')}</h2>
      {reserve?.error && <Notice kind="error">{reserve.error}</Notice>}
      <form method="post" action={`/events/${event.slug}/reserve`}>
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
              <Availability t={t} lang={lang} now={now} type={type} />
            </span>
            {selling && salesState(type, now) === 'on_sale' && (
              <label class="qty">
                {t('hold.quantity')}{' '}
                <input type="number" name={`qty_${type.id}`} min="0" max={String(Math.min(type.max_per_order, type.available))}
                  value={valueOf(reserve?.values ?? {}, `qty_${type.id}`) || '0'} inputmode="numeric" />
              </label>
            )}
          </li>
        ))}
      </ul>
      {selling && <p><button type="submit">{t('hold.submit')}</button></p>}
      </form>
      {soldOut.size > 0 && isSelling(event.status) && <p id="waiting-list"><a href={`/events/${event.slug}/waiting-list`}>{t('waitlist.link')}</a></p>}
      {!prominent && offers}
      {event.terms_and_conditions && (
        <>
          <h2>{t('event.terms')}</h2>
          <p class="muted">{event.terms_and_conditions}</p>
        </>
      )}
    </article>
  )
}
