/**
 * PDF tickets, one page each, made at the edge with pdf-lib (pure JS: Deno and Workers alike). The QR is
 * drawn as vector squares, sharp at any print size; the event's custom template, when it has one (a
 * background image or a one-page PDF), is the page's background.
 */
import { PDFDocument, rgb, StandardFonts, type PDFEmbeddedPage, type PDFFont, type PDFImage, type PDFPage } from 'pdf-lib'
import type { BlobContentType } from '../db/schema.ts'
import { IMAGE_PIXEL_LIMITS, inspectImage } from '../storage/image-check.ts'
import { inspectPdfPage, prescanPdfStreams } from '../storage/pdf-check.ts'
import { qrModules } from './qr-svg.ts'

export interface PdfTicket {
  code: string
  eventTitle: string
  typeName: string
  when: string
  where: string
  ticketId: string
}

export interface PdfTemplate {
  contentType: BlobContentType
  bytes: Uint8Array<ArrayBuffer>
}

const PAGE = { width: 298, height: 420 } // A6 in points
const QR_SIZE = 190

/** Standard PDF fonts speak WinAnsi only; anything else becomes '?' rather than failing the whole PDF. */
function printable(text: string): string {
  return text.normalize('NFC').replace(/[^\x20-\x7e\xa0-\xff]/g, '?')
}

function drawQr(page: PDFPage, code: string, x: number, y: number) {
  const { size, dark } = qrModules(code)
  const quiet = 4
  const module = QR_SIZE / (size + quiet * 2)
  page.drawRectangle({ x, y, width: QR_SIZE, height: QR_SIZE, color: rgb(1, 1, 1) })
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!dark(col, row)) continue
      let run = 1
      while (col + run < size && dark(col + run, row)) run++
      page.drawRectangle({
        x: x + (col + quiet) * module, y: y + QR_SIZE - (row + quiet + 1) * module,
        width: run * module, height: module, color: rgb(0, 0, 0),
      })
      col += run - 1
    }
  }
}

function drawText(page: PDFPage, font: PDFFont, text: string, y: number, size: number) {
  const clean = printable(text).slice(0, 60)
  page.drawText(clean, { x: 20, y, size, font, color: rgb(0.1, 0.1, 0.1), maxWidth: PAGE.width - 40 })
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
 * The tickets as one PDF, a page each. A template that cannot be drawn gives plain pages, and
 * `onUnusableTemplate` is told (the route notes it in its log line).
 */
export async function ticketsPdf(tickets: PdfTicket[], template?: PdfTemplate, onUnusableTemplate?: () => void): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(printable(tickets[0]?.eventTitle ?? 'Tickets'))
  doc.setProducer('Tikiti')
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const bold = await doc.embedFont(StandardFonts.HelveticaBold)
  const background = template ? await backgroundOf(doc, template) : undefined
  if (template && !background) onUnusableTemplate?.()
  for (const ticket of tickets) {
    const page = doc.addPage([PAGE.width, PAGE.height])
    if (background && 'page' in background) page.drawPage(background.page, { x: 0, y: 0, ...PAGE })
    if (background && 'image' in background) page.drawImage(background.image, { x: 0, y: 0, ...PAGE })
    drawText(page, bold, ticket.eventTitle, PAGE.height - 40, 14)
    drawText(page, font, ticket.typeName, PAGE.height - 60, 11)
    drawText(page, font, ticket.when, PAGE.height - 76, 10)
    drawText(page, font, ticket.where, PAGE.height - 90, 10)
    drawQr(page, ticket.code, (PAGE.width - QR_SIZE) / 2, 70)
    drawText(page, font, `#${ticket.ticketId.slice(0, 8)}`, 50, 9)
  }
  return doc.save()
}
