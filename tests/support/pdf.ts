/** PDF templates made to measure for the upload checks: pages with content streams as we choose, and bombs. */
import { createDeflate, deflateSync } from 'node:zlib'
import { PDFArray, PDFDocument, PDFName, type PDFRef } from 'pdf-lib'

const MB = 1024 * 1024

/** `size` zero bytes, zlib-compressed a MB at a time (so the test never holds them inflated). */
export async function deflatedZeros(size: number): Promise<Uint8Array> {
  const deflate = createDeflate({ level: 9 })
  const parts: Buffer[] = []
  deflate.on('data', (part: Buffer) => parts.push(part))
  const ended = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject))
  const piece = Buffer.alloc(MB)
  for (let left = size; left > 0; left -= MB) {
    if (!deflate.write(left >= MB ? piece : piece.subarray(0, left))) await new Promise((resolve) => deflate.once('drain', resolve))
  }
  deflate.end()
  await ended
  return new Uint8Array(Buffer.concat(parts))
}

export const flate = (text: string) => new Uint8Array(deflateSync(Buffer.from(text, 'latin1')))

export interface RawStream {
  /** the stream's bytes as stored (already compressed when a filter is named) */
  data: Uint8Array
  filter?: string | string[]
}

/**
 * A one-page A6 PDF whose page content is exactly `contents` (one stream, or an array of them when
 * there are several), and optionally a Form XObject /Fm0 in its resources.
 */
export async function pdfWithContents(contents: RawStream[], form?: RawStream): Promise<Uint8Array<ArrayBuffer>> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([298, 420])
  const register = ({ data, filter }: RawStream, extra: Record<string, unknown> = {}): PDFRef =>
    doc.context.register(doc.context.stream(data, { ...extra, ...(filter ? { Filter: filter } : {}) }))
  const refs = contents.map((stream) => register(stream))
  page.node.set(PDFName.of('Contents'), refs.length === 1 ? refs[0]! : PDFArray.withContext(doc.context))
  if (refs.length > 1) for (const ref of refs) page.node.lookup(PDFName.of('Contents'), PDFArray).push(ref)
  if (form) page.node.setXObject(PDFName.of('Fm0'), register(form, { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 298, 420] }))
  return new Uint8Array(await doc.save())
}

/** The probe's bomb: a one-page PDF whose content stream is `inflated` bytes of FlateDecode zeros (200 MB in ~200 KB). */
export async function pdfBomb(inflated = 200 * MB): Promise<Uint8Array<ArrayBuffer>> {
  return pdfWithContents([{ data: await deflatedZeros(inflated), filter: 'FlateDecode' }])
}
