import { raw } from 'hono/html'
import { venueMapUrl } from '../../src/events/venue-map.ts'
import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { maskContact } from '../../src/transfers/masking.ts'
import { qrSvg } from '../../src/tickets/qr-svg.ts'
import { WalletResale, type WalletListing } from '../resale/wallet-resale.tsx'

export interface WalletTicket {
  id: string
  status: string
  qr_code: string | null
  price_minor: number
  /** What this owner paid: the face value, or the resale price when bought on the marketplace. */
  paid_minor: number
  currency: string
  scanned_at: Date | null
  type_name: string
  title: string
  slug: string
  starts_at: Date
  event_status: string
  venue_name: string
  venue_address: string
  venue_city: string
  venue_latitude: number | null
  venue_longitude: number | null
  holder_name: string | null
  payment_status: string | null
  pending_transfer_id: string | null
  pending_to: string | null
  pending_channel: string | null
  pending_confirmed_at: Date | null
}

/** The state of a ticket in words: valid, used at…, transfer waiting, cancelled (and refunded). */
export function ticketState(t: Translator, lang: Lang, ticket: WalletTicket): string {
  if (ticket.status === 'used') return ticket.scanned_at ? t('wallet.state.usedAt', { time: formatDateTime(ticket.scanned_at, lang) }) : t('tickets.status.used')
  if (ticket.status === 'cancelled') {
    return ticket.payment_status === 'refunded' || ticket.payment_status === 'partially_refunded' ? t('wallet.state.refunded') : t('tickets.status.cancelled')
  }
  if (ticket.pending_transfer_id) return t('wallet.state.transferring', { to: maskContact(ticket.pending_to ?? '') })
  return t('tickets.status.active')
}

export interface WalletCardProps {
  t: Translator
  lang: Lang
  ticket: WalletTicket
  /** Why a transfer is not possible, or undefined when the form is shown. */
  transferBlocked?: string
  /** The ticket's live resale listing, and the cap and fee when it may be listed. */
  resale?: { listing: WalletListing; listable?: { capMinor: number; feePct: number } }
}

/** One ticket in the wallet: event, when and where, type, price, holder, state, QR, PDF and actions. */
export function WalletCard({ t, lang, ticket, transferBlocked, resale }: WalletCardProps) {
  const state = ticketState(t, lang, ticket)
  const live = ticket.status === 'active' && ticket.qr_code
  return (
    <li class="card ticket" data-ticket={ticket.id}>
      <strong><a href={`/events/${ticket.slug}`}>{ticket.title}</a></strong>
      <p class="meta"><time datetime={ticket.starts_at.toISOString()}>{formatDateTime(ticket.starts_at, lang)}</time></p>
      <p class="meta">{ticket.venue_name}, {ticket.venue_city}</p>
      <p><a href={venueMapUrl(ticket)} rel="noopener noreferrer">{t('wallet.map')}</a></p>
      <p class="meta">{t('wallet.type')}: {ticket.type_name} · {t('wallet.price')}: {formatMoney(ticket.paid_minor, ticket.currency, lang)}</p>
      {ticket.holder_name && <p class="meta">{t('wallet.holder')}: {ticket.holder_name}</p>}
      <p>{t('wallet.stateLabel')}: <span class="badge" data-status={ticket.pending_transfer_id ? 'transferring' : ticket.status}>{state}</span></p>
      {live && (
        <>
          <div class="qr">{raw(qrSvg(ticket.qr_code!, t('tickets.qrLabel', { type: ticket.type_name })))}</div>
          <p class="muted">{t('tickets.showAtGate')}</p>
          <p><a href={`/tickets/${ticket.id}/pdf`}>{t('tickets.downloadPdf')}</a></p>
        </>
      )}
      {ticket.pending_transfer_id && (
        <>
          <p class="muted">{ticket.pending_confirmed_at ? t('wallet.transfer.waiting') : t('wallet.transfer.needsCode')}</p>
          <p><a href={`/transfers/${ticket.pending_transfer_id}`}>{t('wallet.transfer.open')}</a></p>
        </>
      )}
      {ticket.status === 'active' && !ticket.pending_transfer_id && (transferBlocked
        ? <p class="muted" data-transfer-blocked>{transferBlocked}</p>
        : (
          <details>
            <summary>{t('wallet.transfer.action')}</summary>
            <form method="post" action={`/tickets/${ticket.id}/transfer`}>
              <p class="field">
                <label for={`to-${ticket.id}`}>{t('wallet.transfer.to')}</label>
                <input id={`to-${ticket.id}`} name="to" type="text" required autocomplete="off" maxlength={254} />
              </p>
              <p class="muted">{t('wallet.transfer.explain')}</p>
              <button>{t('wallet.transfer.submit')}</button>
            </form>
          </details>
        ))}
      {resale && ticket.status === 'active' && <WalletResale t={t} lang={lang} ticket={{ ...resale.listing, id: ticket.id, currency: ticket.currency }} listable={resale.listable} />}
    </li>
  )
}
