/**
 * PDF tickets, one page each, made at the edge with pdf-lib (pure JS: Deno and Workers alike). The QR is
 * drawn as vector squares, sharp at any print size; the event's custom template, when it has one (a
 * background image or a one-page PDF), is the page's background, and the QR and text land in the fixed
 * zones of pdf-layout.ts (the portal's template guide shows the same zones).
 */
import { PDFDocument, PDFHexString, rgb, type PDFEmbeddedPage, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib'
import { fontsFor } from '../analytics/formats/pdf.ts'
import type { BlobContentType } from '../db/schema.ts'
import { IMAGE_PIXEL_LIMITS, inspectImage } from '../storage/image-check.ts'
import { inspectPdfPage, prescanPdfStreams } from '../storage/pdf-check.ts'
import { lineBaselines, TICKET_PAGE, TICKET_ZONES, ZONE_LINES, ZONE_PADDING, type LineKey } from './pdf-layout.ts'
import { qrModules } from './qr-svg.ts'

export interface PdfTicket {
  code: string
  eventTitle: string
  typeName: string
  when: string
  where: string
  ticketId: string
  /** The holder's name, when their account has one. */
  holder?: string
  /** The price paid, formatted ("KES 1,500"). */
  price: string
  /** The organiser (the tenant's name). */
  organiser: string
  /** The event's terms (https), printed and linked. */
  termsUrl?: string
}

/** The words before each value, in the buyer's language (ticket-pdf-service.ts fills them from the catalog). */
export interface PdfLabels {
  holder: string
  price: string
  organiser: string
  terms: string
  ticketNo: string
}

export const ENGLISH_LABELS: PdfLabels = { holder: 'Holder', price: 'Price paid', organiser: 'Organiser', terms: 'Terms', ticketNo: 'Ticket' }

export interface PdfTemplate {
  contentType: BlobContentType
  bytes: Uint8Array<ArrayBuffer>
}

const PAGE = TICKET_PAGE
const INK = rgb(0.1, 0.1, 0.1)

/** pdf-lib's y of a top-left measure. */
const fromTop = (y: number) => PAGE.height - y

/**
 * The text as the font can draw it: characters it has no glyph for become '?' (an emoji in a title, a
 * script DejaVu Sans lacks), so a name never breaks the PDF; then cut with an ellipsis to `width`.
 */
function fitted(font: PDFFont, glyphs: Set<number>, text: string, size: number, width: number): string {
  let clean = ''
  for (const char of text.normalize('NFC').replace(/[\r\n\t]+/g, ' ')) clean += glyphs.has(char.codePointAt(0)!) ? char : '?'
  if (font.widthOfTextAtSize(clean, size) <= width) return clean
  const chars = [...clean]
  let low = 0
  let high = chars.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (font.widthOfTextAtSize(`${chars.slice(0, mid).join('')}…`, size) <= width) low = mid
    else high = mid - 1
  }
  return `${chars.slice(0, low).join('').trimEnd()}…`
}

function drawQr(page: PDFPage, code: string) {
  const zone = TICKET_ZONES.qr
  const side = Math.min(zone.width, zone.height)
  const x = zone.x
  const y = fromTop(zone.y + side)
  const { size, dark } = qrModules(code)
  const quiet = 4
  const module = side / (size + quiet * 2)
  page.drawRectangle({ x, y, width: side, height: side, color: rgb(1, 1, 1) })
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!dark(col, row)) continue
      let run = 1
      while (col + run < size && dark(col + run, row)) run++
      page.drawRectangle({
        x: x + (col + quiet) * module, y: y + side - (row + quiet + 1) * module,
        width: run * module, height: module, color: rgb(0, 0, 0),
      })
      col += run - 1
    }
  }
}

/** A clickable area over the terms' line that opens the link (the address is ASCII once URL-parsed). */
function linkTo(doc: PDFDocument, page: PDFPage, url: string, rect: [number, number, number, number]) {
  const hex = [...new TextEncoder().encode(url)].map((byte) => byte.toString(16).padStart(2, '0')).join('')
  const annotation = doc.context.register(doc.context.obj({
    Type: 'Annot', Subtype: 'Link', Rect: rect, Border: [0, 0, 0],
    A: { Type: 'Action', S: 'URI', URI: PDFHexString.of(hex) },
  }))
  page.node.addAnnot(annotation)
}

interface Fonts {
  regular: PDFFont
  bold: PDFFont
  glyphs: Map<PDFFont, Set<number>>
}

function lineText(ticket: PdfTicket, labels: PdfLabels, key: LineKey): string | undefined {
  switch (key) {
    case 'title': return ticket.eventTitle
    case 'type': return ticket.typeName
    case 'when': return ticket.when
    case 'where': return ticket.where
    case 'holder': return ticket.holder ? `${labels.holder}: ${ticket.holder}` : undefined
    case 'price': return `${labels.price}: ${ticket.price}`
    case 'organiser': return `${labels.organiser}: ${ticket.organiser}`
    case 'terms': return ticket.termsUrl ? `${labels.terms}: ${ticket.termsUrl}` : undefined
    case 'ticketNo': return `${labels.ticketNo} #${ticket.ticketId.slice(0, 8)}`
  }
}

function drawZone(doc: PDFDocument, page: PDFPage, fonts: Fonts, zoneName: 'details' | 'holder', ticket: PdfTicket, labels: PdfLabels, panel: boolean) {
  const zone = TICKET_ZONES[zoneName]
  // on a template, a light panel keeps the text readable whatever the design behind it
  if (panel) page.drawRectangle({ x: zone.x, y: fromTop(zone.y + zone.height), width: zone.width, height: zone.height, color: rgb(1, 1, 1), opacity: 0.85 })
  const width = zone.width - ZONE_PADDING * 2
  for (const line of lineBaselines(zoneName)) {
    const text = lineText(ticket, labels, line.key)
    if (!text) continue
    const font = line.bold ? fonts.bold : fonts.regular
    const shown = fitted(font, fonts.glyphs.get(font)!, text, line.size, width)
    const x = zone.x + ZONE_PADDING
    page.drawText(shown, { x, y: fromTop(line.baseline), size: line.size, font, color: INK })
    if (line.key === 'terms' && ticket.termsUrl) {
      const right = x + font.widthOfTextAtSize(shown, line.size)
      linkTo(doc, page, ticket.termsUrl, [x, fromTop(line.baseline) - 2, right, fromTop(line.baseline) + line.size])
    }
  }
}

/**
 * Whether the first page of a PDF can be drawn behind tickets (a blank page has no contents and cannot).
 * Tried in a scratch document: pdf-lib embeds lazily, and a failed page would break the real one at save.
 */
export async function pdfPageEmbeds(bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    const scratch = await PDFDocument.create()
    const [page] = await scratch.embedPdf(bytes, [0])
    await page!.embed()
    return true
  } catch {
    return false
  }
}

/**
 * Whether pdf-lib can draw the image, tried in a scratch document (the real one is left alone). Only for
 * an image that passed inspectImage: pdf-lib decodes a PNG's every pixel here.
 */
export async function imageEmbeds(contentType: 'image/png' | 'image/jpeg', bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  try {
    const scratch = await PDFDocument.create()
    const image = contentType === 'image/png' ? await scratch.embedPng(bytes) : await scratch.embedJpg(bytes)
    await image.embed()
    return image.width > 0 && image.height > 0
  } catch {
    return false
  }
}

/** What a template gives a page: a PDF page or an image to draw behind the ticket, or nothing. */
type Background = { page: PDFEmbeddedPage } | { image: PDFImage }

/**
 * The template's background in `doc`, or undefined when it does not embed. Uploads are checked when
 * they arrive, but a template stored before that check (or damaged since, or a decompression bomb
 * stored before the limits: an image over the pixel limit, a PDF whose object streams or page content
 * inflate past their limits) must not cost the buyer their tickets, nor the server seconds: an image or a PDF page gets
 * the same inspection again, with the same limit, before pdf-lib decodes it. pdf-lib then decodes a
 * PNG, and reads a JPEG's header, in embedPng/embedJpg themselves (saving only deflates or copies), so a
 * failure lands in the catch below rather than at save time; a PDF page embeds lazily and is tried in a
 * scratch document first.
 */
async function backgroundOf(doc: PDFDocument, template: PdfTemplate): Promise<Background | undefined> {
  try {
    if (template.contentType === 'application/pdf') {
      // the upload checks: loading inflates object streams and embedding the page's content, so a stored bomb must reach neither
      if (!(await prescanPdfStreams(template.bytes)).ok) return undefined
      const source = await PDFDocument.load(template.bytes, { updateMetadata: false })
      if (!(await inspectPdfPage(source)).ok) return undefined
      // loaded once for the check, the trial and the real page; tried in a scratch document first, as a
      // page that fails to embed would break the real one at save
      await (await (await PDFDocument.create()).embedPage(source.getPage(0))).embed()
      return { page: await doc.embedPage(source.getPage(0)) }
    }
    if (template.contentType !== 'image/png' && template.contentType !== 'image/jpeg') return undefined
    // the upload check (pdf-lib alone draws a truncated PNG as garbage rather than failing)
    if (!(await inspectImage(template.contentType, template.bytes, IMAGE_PIXEL_LIMITS.ticket_template)).ok) return undefined
    return { image: template.contentType === 'image/png' ? await doc.embedPng(template.bytes) : await doc.embedJpg(template.bytes) }
  } catch {
    return undefined
  }
}

/**
 * The tickets as one PDF, a page each, laid out by pdf-layout.ts. A template that cannot be drawn gives
 * plain pages, and `onUnusableTemplate` is told (the route notes it in its log line). Helvetica when
 * every text fits WinAnsi, else DejaVu Sans (a holder named in Amharic or Arabic still gets a ticket).
 */
export async function ticketsPdf(
  tickets: PdfTicket[], template?: PdfTemplate, onUnusableTemplate?: () => void, labels: PdfLabels = ENGLISH_LABELS,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(tickets[0]?.eventTitle ?? 'Tickets')
  doc.setProducer('Tikiti')
  const texts = tickets.flatMap((ticket) => Object.keys(ZONE_LINES).flatMap((zone) =>
    ZONE_LINES[zone as 'details' | 'holder'].map((line) => lineText(ticket, labels, line.key) ?? '')))
  const { regular, bold } = await fontsFor(doc, texts)
  const glyphs = new Map<PDFFont, Set<number>>()
  for (const font of [regular, bold]) if (!glyphs.has(font)) glyphs.set(font, new Set(font.getCharacterSet()))
  const fonts = { regular, bold, glyphs }
  const background = template ? await backgroundOf(doc, template) : undefined
  if (template && !background) onUnusableTemplate?.()
  for (const ticket of tickets) {
    const page = doc.addPage([PAGE.width, PAGE.height])
    if (background && 'page' in background) page.drawPage(background.page, { x: 0, y: 0, ...PAGE })
    if (background && 'image' in background) page.drawImage(background.image, { x: 0, y: 0, ...PAGE })
    drawZone(doc, page, fonts, 'details', ticket, labels, !!background)
    drawQr(page, ticket.code)
    drawZone(doc, page, fonts, 'holder', ticket, labels, !!background)
  }
  return doc.save()
}
