import { formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'

export interface ResaleOffer {
  id: string
  listing_price_minor: number
  original_price_minor: number
  currency: string
  type_name: string
  held: boolean | number | string
}

const isHeld = (held: ResaleOffer['held']) => held === true || held === 1 || held === '1'

/**
 * Resale tickets of an event, each with its price, the face value and a Buy button (a plain form: it
 * works without JavaScript). On the event page it is prominent when a type it offers is sold out.
 */
export function ResaleOffers({ t, lang, slug, offers, prominent, more }: {
  t: Translator; lang: Lang; slug: string; offers: ResaleOffer[]; prominent?: boolean; more?: boolean
}) {
  return (
    <section class={prominent ? 'card resale notice' : 'card resale'} aria-labelledby="resale-heading" data-resale>
      <h2 id="resale-heading">{t('resale.title')}</h2>
      {prominent && <p><strong>{t('resale.soldOutHint')}</strong></p>}
      {offers.length === 0 ? <p class="muted">{t('resale.none')}</p> : (
        <ul class="tiers">
          {offers.map((offer) => (
            <li class="tier" data-listing={offer.id}>
              <span>
                <strong>{offer.type_name}</strong><br />
                <span class="muted">{t('resale.faceValue', { price: formatMoney(offer.original_price_minor, offer.currency, lang) })}</span>
              </span>
              <span class="price">{formatMoney(offer.listing_price_minor, offer.currency, lang)}</span>
              {isHeld(offer.held)
                ? <span class="badge">{t('resale.beingBought')}</span>
                : (
                  <form method="post" action={`/events/${slug}/resale/${offer.id}/buy`}>
                    <button aria-label={`${t('resale.buy')}: ${offer.type_name}, ${formatMoney(offer.listing_price_minor, offer.currency, lang)}`}>{t('resale.buy')}</button>
                  </form>
                )}
            </li>
          ))}
        </ul>
      )}
      {more && <p><a href={`/events/${slug}/resale`}>{t('resale.all')}</a></p>}
    </section>
  )
}
