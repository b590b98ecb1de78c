/**
 * A PDF template's page, checked before pdf-lib draws it. pdf-lib parses a PDF without inflating its
 * content streams, but embedding a page (PDFPageEmbedder) inflates them all, synchronously and in
 * memory: a few hundred KB of FlateDecode zeros would cost gigabytes at upload and again for every
 * buyer's ticket PDF. So the first page's content streams (and the Form XObjects it draws, which are
 * content too and which the buyer's viewer inflates) are inflated here first, counted and never kept,
 * stopping at the first byte over the limit. Pure Web APIs (DecompressionStream): Deno and Workers alike.
 */
import { PDFArray, PDFDict, PDFName, PDFStream, type PDFDocument, type PDFObject } from 'pdf-lib'
import { feedInPieces } from '../lib/inflate.ts'

const MB = 1024 * 1024

/**
 * The most a template page's content may inflate to, all its streams together. A ticket background is
 * a handful of shapes, text and image placements: pdf-lib's own A6 ticket page is about 20 KB of
 * operators, and a busy designer's page (text as outlines, a vector logo) a few hundred KB. Images
 * are not content (they are XObjects that pdf-lib copies without inflating), so a photo background
 * does not count here. 4 MB leaves ten times the busiest real page, and inflating it costs pdf-lib
 * tens of milliseconds and a few MB per PDF, well inside a Worker's 128 MB.
 */
export const PDF_PAGE_CONTENT_LIMIT = 4 * MB

/** The filters we inflate ourselves; content under any other (LZW, ASCII85, …) is refused, not trusted. */
export const ACCEPTED_PDF_FILTERS = ['FlateDecode'] as const

export type PdfPageVerdict =
  | { ok: true; contentBytes: number }
  | { ok: false; problem: 'too_much_content' }
  | { ok: false; problem: 'unsupported_filter'; filter: string }
  | { ok: false; problem: 'damaged' }

/** A stream's filters by name: none, one, or a chain (an array). Undefined when /Filter is not a name or names. */
function filtersOf(stream: PDFStream): string[] | undefined {
  const filter = stream.dict.lookup(PDFName.of('Filter'))
  if (filter === undefined) return []
  if (filter instanceof PDFName) return [filter.decodeText()]
  if (!(filter instanceof PDFArray)) return undefined
  const names = filter.asArray().map((item) => stream.dict.context.lookup(item))
  return names.every((name) => name instanceof PDFName) ? names.map((name) => (name as PDFName).decodeText()) : undefined
}

/** The page's content streams and, reached from its resources (nested ones too), its Form XObjects. */
function contentStreams(doc: PDFDocument): PDFStream[] | undefined {
  const page = doc.getPage(0).node
  const found = new Set<PDFStream>()
  const seenResources = new Set<PDFDict>()
  const contents = page.Contents()
  const parts: (PDFObject | undefined)[] = contents instanceof PDFArray ? contents.asArray().map((item) => doc.context.lookup(item)) : [contents]
  for (const part of parts) {
    if (part === undefined && contents === undefined) continue // no contents: pdf-lib's embed refuses it later
    if (!(part instanceof PDFStream)) return undefined
    found.add(part)
  }
  const walk = (resources: PDFDict | undefined) => {
    if (!resources || seenResources.has(resources)) return
    seenResources.add(resources)
    const xObjects = resources.lookupMaybe(PDFName.of('XObject'), PDFDict)
    for (const [, ref] of xObjects?.entries() ?? []) {
      const xObject = doc.context.lookup(ref)
      if (!(xObject instanceof PDFStream) || found.has(xObject)) continue
      if (xObject.dict.lookup(PDFName.of('Subtype')) !== PDFName.of('Form')) continue
      found.add(xObject)
      walk(xObject.dict.lookupMaybe(PDFName.of('Resources'), PDFDict))
    }
  }
  walk(page.Resources())
  return [...found]
}

/**
 * How many bytes `data` inflates to, if no more than `budget`: 'over' as soon as it passes it, and
 * 'damaged' when the zlib stream is broken (never trusted to a more lenient inflater).
 */
async function inflatedSize(data: Uint8Array, budget: number): Promise<number | 'over' | 'damaged'> {
  const inflater = new DecompressionStream('deflate')
  const writer = inflater.writable.getWriter()
  const reader = inflater.readable.getReader()
  let stopped = false
  void feedInPieces(writer, [data], () => stopped)
  let inflated = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return inflated
      inflated += value.byteLength
      if (inflated > budget) {
        stopped = true
        await reader.cancel()
        return 'over'
      }
    }
  } catch {
    stopped = true
    return 'damaged'
  }
}

/**
 * Whether the first page of `doc` (as PDFDocument.load left it, nothing inflated yet) is content pdf-lib
 * may inflate: every content stream unfiltered or FlateDecode, and all of them together within `limit`
 * once inflated. Every filter is checked before anything is inflated.
 */
export async function inspectPdfPage(doc: PDFDocument, limit = PDF_PAGE_CONTENT_LIMIT): Promise<PdfPageVerdict> {
  let streams: PDFStream[] | undefined
  try {
    streams = contentStreams(doc)
  } catch {
    streams = undefined
  }
  if (!streams) return { ok: false, problem: 'damaged' }
  const filters = streams.map(filtersOf)
  if (filters.some((names) => names === undefined)) return { ok: false, problem: 'damaged' }
  const refused = filters.find((names) => names!.length > 1 || names!.some((name) => !(ACCEPTED_PDF_FILTERS as readonly string[]).includes(name)))
  if (refused) return { ok: false, problem: 'unsupported_filter', filter: refused.join(', ') }
  let total = 0
  for (const [i, stream] of streams.entries()) {
    const data = stream.getContents()
    const size = filters[i]!.length === 0 ? data.length : await inflatedSize(data, limit - total)
    if (size === 'damaged') return { ok: false, problem: 'damaged' }
    if (size === 'over' || total + size > limit) return { ok: false, problem: 'too_much_content' }
    total += size
  }
  return { ok: true, contentBytes: total }
}

/*
 * The raw pre-scan, before PDFDocument.load ever sees the bytes. pdf-lib's parser inflates every object
 * stream (/Type /ObjStm) and cross-reference stream (/Type /XRef) while loading, synchronously and in
 * memory, before any check on the loaded document can run: a 50 KB PDF holding a 50 MB object stream
 * cost 607 ms and 178 MB, and the 5 MB upload limit allows gigabytes. So the bytes are read as text, each
 * `stream` that follows a dictionary found, and those two kinds inflated first, counted and never kept.
 */

/**
 * The most a template's object and cross-reference streams may inflate to, all together. They hold the
 * document's small objects (dictionaries, numbers, names) and its offsets: a one-page ticket background
 * saved by pdf-lib, a design tool or a browser has a few KB to a few hundred KB of them. 8 MB leaves
 * over ten times the largest real one, and inflating it costs tens of milliseconds and a few MB.
 */
export const PDF_STRUCTURE_LIMIT = 8 * MB

export type PdfPrescanVerdict =
  | { ok: true; structureBytes: number }
  | { ok: false; problem: 'too_much_content' }
  | { ok: false; problem: 'unsupported_filter'; filter: string }
  | { ok: false; problem: 'damaged' }

/** Names as pdf-lib reads them: `#xx` escapes decoded (`/Obj#53tm` is /ObjStm). */
const decodeNames = (text: string) => text.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/**
 * Where the dictionary whose `>>` ends just before `end` starts (its `<<`), or -1 when it is unbalanced
 * after `floor` (a dictionary never spans an earlier stream's data, and the bound keeps the scan linear).
 */
function dictionaryStart(text: string, end: number, floor: number): number {
  let depth = 0
  for (let at = end - 1; at > floor;) {
    const pair = text.slice(at - 1, at + 1)
    if (pair === '>>') depth++
    else if (pair === '<<' && --depth === 0) return at - 1
    at -= pair === '>>' || pair === '<<' ? 2 : 1
  }
  return -1
}

/** Whether the text between a dictionary's `>>` and `stream` is only whitespace and comments. */
const onlyWhitespaceAndComments = (text: string) => /^(?:\s|%[^\r\n]*(?![^\r\n]))*$/.test(text) // a comment runs to its EOL: no backtracking

/** The filters a stream dictionary names, or undefined when they are not a plain name or array of names. */
function filtersIn(dict: string): string[] | undefined {
  const at = dict.search(/\/Filter(?![A-Za-z0-9])/)
  if (at === -1) return []
  const value = dict.slice(at + '/Filter'.length)
  const one = /^\s*\/([^\s/<>[\]()%]+)/.exec(value)
  if (one) return [one[1]!]
  const many = /^\s*\[((?:\s*\/[^\s/<>[\]()%]+)*)\s*\]/.exec(value)
  if (!many) return undefined
  return [...many[1]!.matchAll(/\/([^\s/<>[\]()%]+)/g)].map((match) => match[1]!)
}

/**
 * Whether `bytes` may be handed to PDFDocument.load: every object and cross-reference stream unfiltered
 * or FlateDecode (one filter), not damaged, and all of them together within `budget` once inflated.
 * Streams of other types (page content, images, fonts) are left to the checks after loading: pdf-lib
 * does not inflate them while it parses.
 */
export async function prescanPdfStreams(bytes: Uint8Array, budget = PDF_STRUCTURE_LIMIT): Promise<PdfPrescanVerdict> {
  // latin1: one character per byte, so text offsets are byte offsets
  const text = new TextDecoder('latin1').decode(bytes)
  const keyword = /(?<![A-Za-z0-9])stream(\r\n|\r|\n)?/g
  let total = 0
  // each search looks back only as far as the previous `stream` keyword's end: the whole scan stays linear
  let scanned = 0
  for (let match = keyword.exec(text); match; match = keyword.exec(text)) {
    const since = scanned
    scanned = match.index + match[0].length
    const window = text.slice(since, match.index)
    const close = window.lastIndexOf('>>')
    if (close === -1 || !onlyWhitespaceAndComments(window.slice(close + 2))) continue
    const open = dictionaryStart(text, since + close + 2, since)
    if (open === -1) return { ok: false, problem: 'damaged' }
    const dict = decodeNames(text.slice(open, since + close + 2))
    const start = match.index + match[0].length
    // the data's end as pdf-lib finds it: a direct /Length when `endstream` follows it, else the next `endstream`
    const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)(?![\d.])/.exec(dict)
    let end = length ? start + Number(length[1]) : -1
    if (end === -1 || end > text.length || !/^(?:\s|%[^\r\n]*(?![^\r\n]))*endstream/.test(text.slice(end, end + 64))) {
      const next = text.indexOf('endstream', start)
      if (next === -1) return { ok: false, problem: 'damaged' }
      end = next - (text.startsWith('\r\n', next - 2) ? 2 : /[\r\n]/.test(text[next - 1] ?? '') ? 1 : 0)
    }
    keyword.lastIndex = scanned = Math.max(end, start)
    // a /Type given by reference is looked up by pdf-lib and might name either: counted as one of them
    if (!/\/Type\s*(?:\/(?:ObjStm|XRef)(?![A-Za-z0-9])|\d+\s+\d+\s+R)/.test(dict)) continue
    const filters = filtersIn(dict)
    if (!filters) return { ok: false, problem: 'damaged' }
    if (filters.length > 1 || (filters.length === 1 && filters[0] !== 'FlateDecode')) return { ok: false, problem: 'unsupported_filter', filter: filters.join(', ') }
    const data = bytes.subarray(start, end)
    const size = filters.length === 0 ? data.length : await inflatedSize(data, budget - total)
    if (size === 'damaged') return { ok: false, problem: 'damaged' }
    if (size === 'over' || total + size > budget) return { ok: false, problem: 'too_much_content' }
    total += size
  }
  return { ok: true, structureBytes: total }
}
