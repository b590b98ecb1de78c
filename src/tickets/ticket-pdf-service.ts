/** Ticket PDFs from stored tickets: the download routes, the ticket-delivery email and the portal's sample build them alike. */
import type { Queryable } from '../db/database.ts'
import { formatDateTime, formatMoney } from '../i18n/format.ts'
import { translator, type Lang } from '../i18n/index.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { ticketsPdf, type PdfLabels, type PdfTemplate } from './pdf.ts'
import { findSampleTicketData, listTicketsForPdf } from './ticket-queries.ts'

/** A code the size of a signed one, that no scanner admits: the sample's QR is as large as a real one. */
const SAMPLE_CODE = `TIKITI-SAMPLE-${'0'.repeat(155)}`

function labelsFor(lang: Lang): PdfLabels {
  const t = translator(lang)
  return { holder: t('wallet.holder'), price: t('wallet.price'), organiser: t('pdf.organiser'), terms: t('pdf.terms'), ticketNo: t('pdf.ticketNo') }
}

/** The event's template from its /media/ URL, or undefined (none, or gone). */
async function templateOf(trx: Queryable, blobStore: BlobStore, url: string | null | undefined): Promise<PdfTemplate | undefined> {
  const blobId = /^\/media\/([0-9a-f-]{36})$/.exec(url ?? '')?.[1]
  const blob = blobId ? await blobStore.get(trx, blobId) : undefined
  return blob ? { contentType: blob.contentType, bytes: new Uint8Array(blob.bytes) } : undefined
}

/** The active tickets among `ticketIds` as one PDF (the event's template as background), or undefined when none is active. */
export async function buildTicketsPdf(
  trx: Queryable, blobStore: BlobStore, ticketIds: string[], lang: Lang, onUnusableTemplate?: () => void,
): Promise<Uint8Array | undefined> {
  if (ticketIds.length === 0) return undefined
  const tickets = await listTicketsForPdf(trx, ticketIds)
  if (tickets.length === 0) return undefined
  const template = await templateOf(trx, blobStore, tickets[0]?.ticket_template_url)
  return ticketsPdf(tickets.map((ticket) => ({
    code: ticket.qr_code!, eventTitle: ticket.title, typeName: ticket.type_name, ticketId: ticket.id,
    when: formatDateTime(ticket.starts_at, lang), where: `${ticket.venue_name}, ${ticket.venue_city}`,
    holder: ticket.holder_name?.trim() || undefined,
    price: formatMoney(ticket.resale_price_minor ?? ticket.price_minor, ticket.currency, lang),
    organiser: ticket.organiser, termsUrl: ticket.terms_url ?? undefined,
  })), template, onUnusableTemplate, labelsFor(lang))
}

/**
 * A sample ticket of the tenant's event on its current template, for the portal's template guide: the
 * event's own details, a made-up holder and a QR no gate admits. Undefined when the event is not the tenant's.
 */
export async function buildSamplePdf(
  trx: Queryable, blobStore: BlobStore, tenantId: string, eventId: string, lang: Lang, onUnusableTemplate?: () => void,
): Promise<Uint8Array | undefined> {
  const event = await findSampleTicketData(trx, tenantId, eventId)
  if (!event) return undefined
  const t = translator(lang)
  const template = await templateOf(trx, blobStore, event.ticket_template_url)
  return ticketsPdf([{
    code: SAMPLE_CODE, eventTitle: event.title, typeName: event.type_name ?? t('pdf.sampleType'),
    when: formatDateTime(event.starts_at, lang), where: `${event.venue_name}, ${event.venue_city}`,
    holder: t('pdf.sampleHolder'), price: formatMoney(event.price_minor ?? 0, event.currency, lang),
    organiser: event.organiser, termsUrl: event.terms_url ?? undefined, ticketId: 'SAMPLE00',
  }], template, onUnusableTemplate, { ...labelsFor(lang), ticketNo: t('pdf.sampleTicketNo') })
}

/** The ids of a reservation's tickets. */
export async function reservationTicketIds(trx: Queryable, reservationId: string): Promise<string[]> {
  const rows = await trx.selectFrom('tickets').select('id').where('reservation_id', '=', reservationId).orderBy('id').execute()
  return rows.map((row) => row.id)
}
