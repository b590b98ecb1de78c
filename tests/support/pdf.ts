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

const latin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'))

/**
 * A one-page PDF written by hand around one extra stream whose dictionary is `<< ${dict} /Length n >>`
 * (`length` replaces that /Length entry when given, e.g. an indirect `9 0 R`), so tests choose its type,
 * filter and data: PDFDocument.load inflates an object stream or cross-reference stream while parsing.
 */
export function pdfWithStream(dict: string, data: Uint8Array, length = `/Length ${data.length}`): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')]
  const offsets: number[] = []
  let at = parts[0]!.length
  const add = (...pieces: Uint8Array[]) => { for (const piece of pieces) { parts.push(piece); at += piece.length } }
  const object = (number: number, ...pieces: Uint8Array[]) => { offsets[number] = at; add(latin1(`${number} 0 obj\n`), ...pieces, latin1('\nendobj\n')) }
  const content = latin1('0 0 1 rg 20 20 100 100 re f')
  object(1, latin1('<< /Type /Catalog /Pages 2 0 R >>'))
  object(2, latin1('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'))
  object(3, latin1('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] /Contents 4 0 R >>'))
  object(4, latin1(`<< /Length ${content.length} >>\nstream\n`), content, latin1('\nendstream'))
  object(5, latin1(`<< ${dict} ${length} >>\nstream\n`), data, latin1('\nendstream'))
  const xref = at
  const rows = offsets.slice(1).map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')
  add(latin1(`xref\n0 ${offsets.length}\n0000000000 65535 f \n${rows}trailer\n<< /Size ${offsets.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`))
  return new Uint8Array(Buffer.concat(parts))
}

/** The object-stream bomb: a one-page PDF holding an object stream of `inflated` bytes of FlateDecode zeros (100 MB in ~100 KB). */
export async function pdfObjectStreamBomb(inflated = 100 * MB): Promise<Uint8Array<ArrayBuffer>> {
  return pdfWithStream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', await deflatedZeros(inflated))
}
