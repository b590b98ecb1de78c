import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'

export interface WalletListing {
  listing_id: string | null
  listing_price_minor: number | null
  listing_held: boolean | number | string | null
}

const yes = (value: boolean | number | string | null) => value === true || value === 1 || value === '1'

/** A ticket's resale line in the wallet: listed (with Withdraw unless a buyer holds it), or the form to list it. */
export function WalletResale({ t, lang, ticket, listable }: {
  t: Translator; lang: Lang
  ticket: WalletListing & { id: string; currency: string }
  /** The cap and the organiser's fee when the ticket may be listed; undefined when it may not (nothing is shown). */
  listable?: { capMinor: number; feePct: number }
}) {
  if (ticket.listing_id) {
    const held = yes(ticket.listing_held)
    return (
      <div data-listed={ticket.listing_id}>
        <p><span class="badge" data-status="listed">{t('resale.wallet.listedAt', { price: formatMoney(ticket.listing_price_minor ?? 0, ticket.currency, lang) })}</span></p>
        <p class="muted">{held ? t('resale.wallet.heldNote') : t('resale.wallet.stillValid')}</p>
        {!held && (
          <form method="post" action={`/listings/${ticket.listing_id}/withdraw`}>
            <button class="secondary">{t('resale.wallet.withdraw')}</button>
          </form>
        )}
      </div>
    )
  }
  if (!listable) return null
  const cap = formatMoney(listable.capMinor, ticket.currency, lang)
  return (
    <details>
      <summary>{t('resale.wallet.action')}</summary>
      <form method="post" action={`/tickets/${ticket.id}/listings`}>
        <p class="field">
          <label for={`price-${ticket.id}`}>{t('resale.wallet.price')}</label>
          <input id={`price-${ticket.id}`} name="price" type="text" inputmode="numeric" required maxlength={12}
            aria-describedby={`cap-${ticket.id}`} />
          <span class="muted" id={`cap-${ticket.id}`}>{t('resale.wallet.cap', { cap })}</span>
        </p>
        <p class="field">
          <label for={`payout-${ticket.id}`}>{t('resale.wallet.phone')}</label>
          <input id={`payout-${ticket.id}`} name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength={20}
            aria-describedby={`payout-hint-${ticket.id}`} />
          <span class="muted" id={`payout-hint-${ticket.id}`}>{t('resale.wallet.phoneHint')}</span>
        </p>
        <p class="muted">{t('resale.wallet.fees', { fee: listable.feePct })}</p>
        <button>{t('resale.wallet.submit')}</button>
      </form>
    </details>
  )
}

export interface SoldListing {
  id: string
  listing_price_minor: number
  currency: string
  sold_at: Date | null
  title: string
  type_name: string
  payout_status: string | null
  payout_minor: number | null
}

/** Payout states in the seller's words: pending, sent, paid, to be paid by the organiser. */
export function payoutState(t: Translator, status: string | null): string {
  return t((status ? `resale.payout.${status}` : 'resale.payout.none') as MessageKey)
}

/** Tickets the seller sold on resale, with the payout's state. */
export function SoldOnResale({ t, lang, sold }: { t: Translator; lang: Lang; sold: SoldListing[] }) {
  return (
    <>
      {sold.map((row) => (
        <li class="card ticket" data-sold={row.id}>
          <strong>{row.title}</strong>
          <p class="meta">{row.type_name}{row.sold_at ? ` · ${formatDateTime(row.sold_at, lang)}` : ''}</p>
          <p><span class="badge" data-status="sold" data-payout={row.payout_status ?? 'none'}>{t('resale.wallet.sold', { state: payoutState(t, row.payout_status) })}</span></p>
          <p class="muted">{t('resale.wallet.soldFor', {
            price: formatMoney(row.listing_price_minor, row.currency, lang), payout: formatMoney(row.payout_minor ?? 0, row.currency, lang),
          })}</p>
        </li>
      ))}
    </>
  )
}
