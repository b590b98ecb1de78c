/**
 * Reads back what a pdf-lib PDF prints: each page's text lines (its `Tj` strings, in drawing order) and
 * its link annotations' addresses. Standard-font text is WinAnsi bytes; an embedded font's text is glyph
 * ids, mapped back to characters through the font's ToUnicode CMap (pdf-lib writes one per font).
 */
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, type PDFPage, PDFRawStream, PDFRef, PDFString } from 'pdf-lib'

function streamText(stream: PDFRawStream): string {
  return new TextDecoder('latin1').decode(decodePDFRawStream(stream).decode())
}

/** Glyph id (4 hex digits) → text, from every ToUnicode CMap of the document. */
function toUnicodeMaps(doc: PDFDocument): Map<string, string> {
  const map = new Map<string, string>()
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || !object.has(PDFName.of('ToUnicode'))) continue
    const cmap = doc.context.lookup(object.get(PDFName.of('ToUnicode')))
    if (!(cmap instanceof PDFRawStream)) continue
    for (const [, gid, units] of streamText(cmap).matchAll(/<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>/g)) {
      const codes = units!.match(/.{4}/g)!.map((hex) => parseInt(hex, 16))
      map.set(gid!.toLowerCase(), String.fromCharCode(...codes))
    }
  }
  return map
}

/** Windows-1252's 0x80–0x9F (Node's TextDecoder leaves them out); the rest is Latin-1. */
const CP1252_HIGH = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ'
function winAnsi(bytes: number[]): string {
  return bytes.map((byte) => (byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80]! : String.fromCharCode(byte))).join('')
}

export interface PdfPageText {
  lines: string[]
  links: string[]
}

/** A page's drawing operators, its content streams inflated and joined. */
function operatorsOf(doc: PDFDocument, page: PDFPage): string {
  const contents = page.node.Contents()
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents]
  return streams.filter((s): s is PDFRawStream => s instanceof PDFRawStream).map(streamText).join('\n')
}

/** The drawing operators of each page. */
export async function pageOperators(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes)
  return doc.getPages().map((page) => operatorsOf(doc, page))
}

export async function readPdf(bytes: Uint8Array): Promise<PdfPageText[]> {
  const doc = await PDFDocument.load(bytes)
  const glyphs = toUnicodeMaps(doc)
  return doc.getPages().map((page) => {
    const ops = operatorsOf(doc, page)
    const lines = [...ops.matchAll(/<([0-9a-fA-F]*)> Tj/g)].map(([, hex]) => {
      if (glyphs.size > 0) return hex!.match(/.{4}/g)?.map((gid) => glyphs.get(gid.toLowerCase()) ?? '\ufffd').join('') ?? ''
      return winAnsi((hex!.match(/.{2}/g) ?? []).map((byte) => parseInt(byte, 16)))
    })
    const annots = page.node.Annots()?.asArray() ?? []
    const links = annots.map((ref) => doc.context.lookup(ref as PDFRef, PDFDict).lookup(PDFName.of('A'), PDFDict).get(PDFName.of('URI')))
      .map((uri) => (uri instanceof PDFHexString || uri instanceof PDFString ? new TextDecoder('latin1').decode(uri.asBytes()) : ''))
    return { lines, links }
  })
}

/** The names of the fonts embedded with their own file (DejaVu Sans when a text goes beyond WinAnsi). */
export async function embeddedFontNames(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes)
  return doc.context.enumerateIndirectObjects()
    .map(([, object]) => (object instanceof PDFDict ? object : undefined))
    .filter((dict) => dict?.get(PDFName.of('Type')) === PDFName.of('FontDescriptor') && dict.has(PDFName.of('FontFile2')))
    .map((dict) => String(dict!.get(PDFName.of('FontName'))))
}
