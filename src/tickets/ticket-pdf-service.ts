/** Ticket PDFs from stored tickets: the download routes and the ticket-delivery email build them alike. */
import type { Queryable } from '../db/database.ts'
import { formatDateTime } from '../i18n/format.ts'
import type { Lang } from '../i18n/index.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { ticketsPdf, type PdfTemplate } from './pdf.ts'
import { listTicketsForPdf } from './ticket-queries.ts'

/** The active tickets among `ticketIds` as one PDF (the event's template as background), or undefined when none is active. */
export async function buildTicketsPdf(
  trx: Queryable, blobStore: BlobStore, ticketIds: string[], lang: Lang, onUnusableTemplate?: () => void,
): Promise<Uint8Array | undefined> {
  if (ticketIds.length === 0) return undefined
  const tickets = await listTicketsForPdf(trx, ticketIds)
  if (tickets.length === 0) return undefined
  const blobId = /^\/media\/([0-9a-f-]{36})$/.exec(tickets[0]?.ticket_template_url ?? '')?.[1]
  const blob = blobId ? await blobStore.get(trx, blobId) : undefined
  const template: PdfTemplate | undefined = blob ? { contentType: blob.contentType, bytes: new Uint8Array(blob.bytes) } : undefined
  return ticketsPdf(tickets.map((ticket) => ({
    code: ticket.qr_code!, eventTitle: ticket.title, typeName: ticket.type_name, ticketId: ticket.id,
    when: formatDateTime(ticket.starts_at, lang), where: `${ticket.venue_name}, ${ticket.venue_city}`,
  })), template, onUnusableTemplate)
}

/** The ids of a reservation's tickets. */
export async function reservationTicketIds(trx: Queryable, reservationId: string): Promise<string[]> {
  const rows = await trx.selectFrom('tickets').select('id').where('reservation_id', '=', reservationId).orderBy('id').execute()
  return rows.map((row) => row.id)
}
