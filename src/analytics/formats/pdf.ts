/**
 * PDF exports with pdf-lib: a table of any dataset, the summary report with its charts drawn as vector
 * paths, and the printable check-in list for a gate without phones. The standard fonts cover WinAnsi
 * only, so when any text falls outside it (a name in Amharic, Arabic, Devanagari…) DejaVu Sans is
 * embedded, subset to the glyphs used.
 */
import fontkit from '@pdf-lib/fontkit'
import { degrees, drawLinesOfText, PDFDocument, rgb, StandardFonts, type Color, type PDFFont, type PDFHexString, type PDFName, type PDFPage } from 'pdf-lib'
import type { ColumnDef, ExportRow } from '../datasets.ts'
import { cellText } from './cells.ts'

export interface PdfFonts {
  regular: PDFFont
  bold: PDFFont
  /** True when DejaVu Sans was embedded. */
  unicode: boolean
}

const INK = rgb(0.11, 0.12, 0.14)
const MUTED = rgb(0.34, 0.38, 0.42)
const RULE = rgb(0.85, 0.87, 0.89)
const GREEN = rgb(0.1, 0.5, 0.22)
const AMBER = rgb(0.75, 0.53, 0)

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function encodable(font: PDFFont, text: string): boolean {
  try {
    font.encodeText(text)
    return true
  } catch {
    return false
  }
}

/** Helvetica when every text fits WinAnsi, else DejaVu Sans (one face for both weights). */
export async function fontsFor(doc: PDFDocument, texts: Iterable<string>): Promise<PdfFonts> {
  const regular = await doc.embedFont(StandardFonts.Helvetica)
  for (const text of texts) {
    if (text && !encodable(regular, text)) {
      doc.registerFontkit(fontkit)
      const { DEJAVU_SANS_BASE64 } = await import('./fonts/dejavu-sans.ts')
      const unicode = await doc.embedFont(base64Bytes(DEJAVU_SANS_BASE64), { subset: true })
      return { regular: unicode, bold: unicode, unicode: true }
    }
  }
  return { regular, bold: await doc.embedFont(StandardFonts.HelveticaBold), unicode: false }
}

const glyphWidths = new WeakMap<PDFFont, Map<string, number>>()

/**
 * Width of `text` at `size` from per-character widths, cached per font: measuring through the font each
 * time (a layout pass for an embedded font) made a 10,000-row table take seconds. Kerning is ignored,
 * which only matters to a cut's last character.
 */
export function textWidth(font: PDFFont, text: string, size: number): number {
  let widths = glyphWidths.get(font)
  if (!widths) glyphWidths.set(font, widths = new Map())
  let total = 0
  for (const char of text) {
    let w = widths.get(char)
    if (w === undefined) widths.set(char, w = font.widthOfTextAtSize(char, 1000))
    total += w
  }
  return (total * size) / 1000
}

const encoded = new WeakMap<PDFFont, Map<string, PDFHexString>>()
const fontKeys = new WeakMap<PDFPage, Map<PDFFont, PDFName>>()

/**
 * One line of text, as page.drawText draws it but with each distinct text encoded once per font (event
 * names, types, states repeat on every row; encoding through an embedded font is a layout pass).
 */
export function drawCell(page: PDFPage, font: PDFFont, text: string, x: number, y: number, size: number, color: Color) {
  let cache = encoded.get(font)
  if (!cache) encoded.set(font, cache = new Map())
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ')
  let hex = cache.get(clean)
  if (!hex) cache.set(clean, hex = font.encodeText(clean))
  let keys = fontKeys.get(page)
  if (!keys) fontKeys.set(page, keys = new Map())
  let key = keys.get(font)
  if (!key) keys.set(font, key = page.node.newFontDictionary(font.name, font.ref))
  page.pushOperators(...drawLinesOfText([hex], { color, font: key, size, lineHeight: size, rotate: degrees(0), xSkew: degrees(0), ySkew: degrees(0), x, y }))
}

/** The text cut to fit `width` at `size`, with an ellipsis when cut. */
export function fit(font: PDFFont, text: string, size: number, width: number): string {
  if (textWidth(font, text, size) <= width) return text
  const chars = [...text]
  let low = 0
  let high = chars.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (textWidth(font, `${chars.slice(0, mid).join('')}…`, size) <= width) low = mid
    else high = mid - 1
  }
  return `${chars.slice(0, low).join('')}…`
}

export interface TableOptions {
  title: string
  subtitle: string
  columns: ColumnDef[]
  headers: string[]
  rows: ExportRow[]
  pageLabel: (page: number, pages: number) => string
}

const LANDSCAPE: [number, number] = [841.89, 595.28]
const PORTRAIT: [number, number] = [595.28, 841.89]
const MARGIN = 36

function allTexts(options: { title: string; subtitle: string; headers: string[]; columns: ColumnDef[]; rows: ExportRow[] }): string[] {
  const texts = [options.title, options.subtitle, ...options.headers]
  for (const row of options.rows) for (const column of options.columns) texts.push(cellText(column, row[column.key] ?? null))
  return texts
}

function numberPages(doc: PDFDocument, font: PDFFont, label: (page: number, pages: number) => string) {
  const pages = doc.getPages()
  pages.forEach((page, i) => {
    const text = label(i + 1, pages.length)
    page.drawText(text, { x: page.getWidth() - MARGIN - font.widthOfTextAtSize(text, 8), y: 20, size: 8, font, color: MUTED })
  })
}

/** Any dataset as a paged table (landscape A4), header repeated on each page. */
export async function tablePdf(options: TableOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(options.title)
  doc.setCreator('Tikiti')
  const fonts = await fontsFor(doc, allTexts(options))
  const size = 8
  const rowH = 12
  const usable = LANDSCAPE[0] - 2 * MARGIN
  const weights = options.columns.map((column) => (column.kind === 'text' ? 2 : 1.2))
  const scale = usable / weights.reduce((a, b) => a + b, 0)
  const widths = weights.map((w) => w * scale)
  let page: PDFPage | undefined
  let y = 0
  const newPage = () => {
    page = doc.addPage(LANDSCAPE)
    y = LANDSCAPE[1] - MARGIN
    page.drawText(fit(fonts.bold, options.title, 14, usable), { x: MARGIN, y: y - 14, size: 14, font: fonts.bold, color: INK })
    page.drawText(fit(fonts.regular, options.subtitle, 9, usable), { x: MARGIN, y: y - 28, size: 9, font: fonts.regular, color: MUTED })
    y -= 46
    let x = MARGIN
    options.headers.forEach((header, i) => {
      page!.drawText(fit(fonts.bold, header, size, widths[i]! - 4), { x, y, size, font: fonts.bold, color: INK })
      x += widths[i]!
    })
    page.drawLine({ start: { x: MARGIN, y: y - 3 }, end: { x: MARGIN + usable, y: y - 3 }, thickness: 0.5, color: RULE })
    y -= rowH
  }
  newPage()
  for (const row of options.rows) {
    if (y < MARGIN + 10) newPage()
    let x = MARGIN
    options.columns.forEach((column, i) => {
      const text = fit(fonts.regular, cellText(column, row[column.key] ?? null), size, widths[i]! - 4)
      const right = column.kind !== 'text' && column.kind !== 'time'
      const dx = right ? widths[i]! - 4 - textWidth(fonts.regular, text, size) : 0
      if (text) drawCell(page!, fonts.regular, text, x + dx, y, size, INK)
      x += widths[i]!
    })
    y -= rowH
  }
  numberPages(doc, fonts.regular, options.pageLabel)
  return doc.save()
}

export interface CheckInListOptions {
  title: string
  subtitle: string
  headers: { tick: string; holder: string; ticket: string; type: string; phone: string }
  rows: ExportRow[]
  pageLabel: (page: number, pages: number) => string
}

/** Attendees by holder name, each with a box to tick at the gate; large enough to read under a torch. */
export async function checkInListPdf(options: CheckInListOptions): Promise<Uint8Array> {
  const rows = [...options.rows].sort((a, b) =>
    String(a.holder ?? '￿').localeCompare(String(b.holder ?? '￿')) || String(a.ticket).localeCompare(String(b.ticket)))
  const doc = await PDFDocument.create()
  doc.setTitle(options.title)
  doc.setCreator('Tikiti')
  const texts = [options.title, options.subtitle, ...Object.values(options.headers)]
  for (const row of rows) texts.push(String(row.holder ?? ''), String(row.ticket_type ?? ''), String(row.phone ?? ''))
  const fonts = await fontsFor(doc, texts)
  const size = 10
  const rowH = 20
  const usable = PORTRAIT[0] - 2 * MARGIN
  const cols = [{ w: 28 }, { w: usable * 0.42 }, { w: usable * 0.14 }, { w: usable * 0.24 }, { w: 0 }]
  cols[4]!.w = usable - cols.slice(0, 4).reduce((t, c) => t + c.w, 0)
  let page: PDFPage | undefined
  let y = 0
  const newPage = () => {
    page = doc.addPage(PORTRAIT)
    y = PORTRAIT[1] - MARGIN
    page.drawText(fit(fonts.bold, options.title, 15, usable), { x: MARGIN, y: y - 15, size: 15, font: fonts.bold, color: INK })
    page.drawText(fit(fonts.regular, options.subtitle, 9, usable), { x: MARGIN, y: y - 30, size: 9, font: fonts.regular, color: MUTED })
    y -= 50
    const headers = [options.headers.tick, options.headers.holder, options.headers.ticket, options.headers.type, options.headers.phone]
    let x = MARGIN
    headers.forEach((header, i) => {
      page!.drawText(fit(fonts.bold, header, 9, cols[i]!.w - 4), { x, y, size: 9, font: fonts.bold, color: INK })
      x += cols[i]!.w
    })
    y -= 8
  }
  newPage()
  for (const row of rows) {
    if (y < MARGIN + rowH) newPage()
    y -= rowH
    page!.drawLine({ start: { x: MARGIN, y: y - 5 }, end: { x: MARGIN + usable, y: y - 5 }, thickness: 0.5, color: RULE })
    page!.drawRectangle({ x: MARGIN + 2, y: y - 2, width: 11, height: 11, borderColor: INK, borderWidth: 0.8 })
    const cells = [String(row.holder ?? '—'), String(row.ticket ?? ''), String(row.ticket_type ?? ''), String(row.phone ?? '')]
    let x = MARGIN + cols[0]!.w
    cells.forEach((cell, i) => {
      const font = i === 0 ? fonts.bold : fonts.regular
      if (cell) drawCell(page!, font, fit(font, cell, size, cols[i + 1]!.w - 6), x, y, size, INK)
      x += cols[i + 1]!.w
    })
  }
  numberPages(doc, fonts.regular, options.pageLabel)
  return doc.save()
}

export interface SummaryOptions {
  title: string
  subtitle: string
  figures: Array<[string, string]>
  typeHeaders: string[]
  types: string[][]
  charts: Array<{ title: string; points: Array<{ label: string; value: number }> }>
  notes: string[]
  pageLabel: (page: number, pages: number) => string
}

/** Vertical bars as filled paths, axis line and a few labels; the same reading as the page's SVG. */
function drawBars(page: PDFPage, fonts: PdfFonts, box: { x: number; y: number; w: number; h: number }, title: string, points: Array<{ label: string; value: number }>) {
  page.drawText(title, { x: box.x, y: box.y + box.h + 6, size: 10, font: fonts.bold, color: INK })
  const max = Math.max(1, ...points.map((p) => p.value))
  const plotX = box.x + 30
  const plotW = box.w - 30
  page.drawLine({ start: { x: plotX, y: box.y }, end: { x: plotX + plotW, y: box.y }, thickness: 0.6, color: MUTED })
  page.drawText(String(max), { x: box.x, y: box.y + box.h - 6, size: 7, font: fonts.regular, color: MUTED })
  page.drawText('0', { x: box.x, y: box.y, size: 7, font: fonts.regular, color: MUTED })
  if (points.length === 0) return
  const slot = plotW / points.length
  const every = Math.max(1, Math.ceil(points.length / 8))
  points.forEach((point, i) => {
    const h = (point.value / max) * (box.h - 4)
    if (h > 0) page.drawRectangle({ x: plotX + i * slot + slot * 0.1, y: box.y, width: Math.max(slot * 0.8, 0.5), height: h, color: i % 2 ? GREEN : rgb(0.13, 0.58, 0.27) })
    if (i % every === 0) page.drawText(point.label, { x: plotX + i * slot, y: box.y - 10, size: 6.5, font: fonts.regular, color: MUTED })
  })
}

/** The dashboard on paper: key figures, ticket types, charts and the method notes. */
export async function summaryPdf(options: SummaryOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.setTitle(options.title)
  doc.setCreator('Tikiti')
  const texts = [options.title, options.subtitle, ...options.figures.flat(), ...options.typeHeaders, ...options.types.flat(),
    ...options.charts.map((c) => c.title), ...options.notes]
  const fonts = await fontsFor(doc, texts)
  const usable = PORTRAIT[0] - 2 * MARGIN
  let page = doc.addPage(PORTRAIT)
  let y = PORTRAIT[1] - MARGIN
  const need = (height: number) => {
    if (y - height < MARGIN + 20) {
      page = doc.addPage(PORTRAIT)
      y = PORTRAIT[1] - MARGIN
    }
  }
  page.drawText(fit(fonts.bold, options.title, 16, usable), { x: MARGIN, y: y - 16, size: 16, font: fonts.bold, color: INK })
  page.drawText(fit(fonts.regular, options.subtitle, 9, usable), { x: MARGIN, y: y - 31, size: 9, font: fonts.regular, color: MUTED })
  y -= 50
  const colW = usable / 2
  options.figures.forEach(([label, value], i) => {
    if (i % 2 === 0) { need(16); y -= 16 }
    const x = MARGIN + (i % 2) * colW
    page.drawText(fit(fonts.regular, label, 9, colW * 0.5), { x, y, size: 9, font: fonts.regular, color: MUTED })
    page.drawText(fit(fonts.bold, value, 10, colW * 0.48), { x: x + colW * 0.5, y, size: 10, font: fonts.bold, color: INK })
  })
  y -= 24
  const widths = [usable * 0.4, ...options.typeHeaders.slice(1).map(() => (usable * 0.6) / Math.max(options.typeHeaders.length - 1, 1))]
  need(30)
  let x = MARGIN
  options.typeHeaders.forEach((header, i) => {
    page.drawText(fit(fonts.bold, header, 8, widths[i]! - 4), { x, y, size: 8, font: fonts.bold, color: INK })
    x += widths[i]!
  })
  y -= 12
  for (const row of options.types) {
    need(12)
    x = MARGIN
    row.forEach((cell, i) => {
      page.drawText(fit(fonts.regular, cell, 8, widths[i]! - 4), { x, y, size: 8, font: fonts.regular, color: INK })
      x += widths[i]!
    })
    y -= 12
  }
  for (const chart of options.charts) {
    need(150)
    y -= 130
    drawBars(page, fonts, { x: MARGIN, y, w: usable, h: 100 }, chart.title, chart.points)
    y -= 20
  }
  for (const note of options.notes) {
    need(14)
    // wrap long notes by words
    let line = ''
    for (const word of note.split(' ')) {
      const next = line ? `${line} ${word}` : word
      if (fonts.regular.widthOfTextAtSize(next, 8) > usable) {
        page.drawText(line, { x: MARGIN, y, size: 8, font: fonts.regular, color: MUTED })
        y -= 11
        need(11)
        line = word
      } else line = next
    }
    if (line) page.drawText(line, { x: MARGIN, y, size: 8, font: fonts.regular, color: MUTED })
    y -= 14
  }
  // a line under the charts so a print shows where the report ends
  page.drawLine({ start: { x: MARGIN, y: y + 4 }, end: { x: MARGIN + usable, y: y + 4 }, thickness: 0.5, color: AMBER })
  numberPages(doc, fonts.regular, options.pageLabel)
  return doc.save()
}

