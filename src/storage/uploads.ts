/**
 * Checking uploaded files: size limits, and the type read from the file's own first bytes (never the
 * browser's claim or the file name), so a script cannot pass as an image, then the image's pixel size
 * from its header and the whole file checked through (see image-check.ts), so neither a decompression
 * bomb nor junk behind a signature can pass.
 */
import { PDFDocument } from 'pdf-lib'
import type { BlobContentType } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { imageEmbeds, pdfPageEmbeds } from '../tickets/pdf.ts'
import { IMAGE_PIXEL_LIMITS, inspectImage } from './image-check.ts'
import { inspectPdfPage, PDF_PAGE_CONTENT_LIMIT, PDF_STRUCTURE_LIMIT, prescanPdfStreams, type PdfPageVerdict, type PdfPrescanVerdict } from './pdf-check.ts'

const MB = 1024 * 1024

export const UPLOAD_RULES = {
  poster: { maxBytes: 2 * MB, types: ['image/jpeg', 'image/png', 'image/webp'] as BlobContentType[] },
  ticket_template: { maxBytes: 5 * MB, types: ['image/jpeg', 'image/png', 'application/pdf'] as BlobContentType[] },
}

/** The largest body an upload route accepts; anything larger is refused before it is read. */
export const MAX_UPLOAD_BODY = 6 * MB

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  return signature.every((byte, i) => bytes[offset + i] === byte)
}

export function sniffContentType(bytes: Uint8Array): BlobContentType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'
  return undefined
}

/**
 * The signature is only a claim: an image is stored only if its header's size is within the limit for
 * its purpose and the file holds up all the way through. A template must also be drawable by pdf-lib,
 * as every ticket PDF will draw it (posters only ever meet browsers, so pdf-lib never decodes them).
 */
async function checkImage(contentType: Exclude<BlobContentType, 'application/pdf'>, bytes: Uint8Array<ArrayBuffer>, purpose: keyof typeof UPLOAD_RULES) {
  const limit = IMAGE_PIXEL_LIMITS[purpose]
  const verdict = await inspectImage(contentType, bytes, limit)
  if (!verdict.ok && verdict.problem === 'too_many_pixels') {
    throw new DomainError(422, 'upload_too_many_pixels', 'upload.tooManyPixels', {
      width: verdict.width, height: verdict.height, side: limit.side, megapixels: (limit.pixels / 1e6).toFixed(1),
    })
  }
  const drawable = verdict.ok && (purpose === 'poster' || (contentType !== 'image/webp' && (await imageEmbeds(contentType, bytes))))
  if (!drawable) throw new DomainError(422, 'upload_not_decodable', 'upload.notDecodable')
}

/** A refused verdict of the pre-scan or the page check, as the upload's 422 (`mb` the limit it passed). */
function refusePdf(verdict: PdfPageVerdict | PdfPrescanVerdict, mb: number) {
  if (verdict.ok) return
  if (verdict.problem === 'too_much_content') throw new DomainError(422, 'upload_pdf_too_much_content', 'upload.pdfTooMuchContent', { mb })
  if (verdict.problem === 'unsupported_filter') throw new DomainError(422, 'upload_pdf_filter', 'upload.pdfFilter', { filter: verdict.filter })
  throw new DomainError(422, 'upload_pdf_damaged', 'upload.pdfDamaged')
}

/**
 * A template PDF must be one page whose content is safe to inflate (pdf-check.ts) before pdf-lib embeds
 * it to see that it draws: embedding inflates the content, so the order matters. Loading it inflates its
 * object and cross-reference streams, so those are pre-scanned from the raw bytes before it is loaded.
 */
async function checkPdf(bytes: Uint8Array<ArrayBuffer>) {
  refusePdf(await prescanPdfStreams(bytes), PDF_STRUCTURE_LIMIT / MB)
  // a broken PDF can load and still fail on its page tree: anything that goes wrong means "not a PDF"
  const doc = await PDFDocument.load(bytes, { updateMetadata: false }).catch(() => undefined)
  const pages = (() => { try { return doc?.getPageCount() ?? -1 } catch { return -1 } })()
  if (!doc || pages === -1) throw new DomainError(415, 'upload_wrong_type', 'upload.wrongType')
  if (pages !== 1) throw new DomainError(422, 'upload_pdf_pages', 'upload.pdfPages')
  refusePdf(await inspectPdfPage(doc), PDF_PAGE_CONTENT_LIMIT / MB)
  // ticket PDFs draw this page as their background: it must embed (a blank page without contents does not)
  if (!(await pdfPageEmbeds(bytes))) throw new DomainError(422, 'upload_pdf_pages', 'upload.pdfBlank')
}

export async function checkUpload(file: unknown, purpose: keyof typeof UPLOAD_RULES) {
  const rules = UPLOAD_RULES[purpose]
  if (!(file instanceof File) || file.size === 0) throw new DomainError(422, 'upload_missing', 'upload.missing')
  if (file.size > rules.maxBytes) throw new DomainError(413, 'upload_too_large', 'upload.tooLarge', { mb: rules.maxBytes / MB })
  const bytes = new Uint8Array(await file.arrayBuffer())
  const contentType = sniffContentType(bytes)
  if (!contentType || !rules.types.includes(contentType)) throw new DomainError(415, 'upload_wrong_type', 'upload.wrongType')
  if (contentType !== 'application/pdf') await checkImage(contentType, bytes, purpose)
  if (contentType === 'application/pdf') await checkPdf(bytes)
  return { bytes, contentType }
}
