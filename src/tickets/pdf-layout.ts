/**
 * Where everything lands on a PDF ticket: one A6 portrait page, the QR and the text in fixed zones. The
 * PDF renderer (pdf.ts) draws from these numbers and the portal's template guide draws its diagram and
 * states its sizes from them too, so what an organiser designs around is what gets printed.
 *
 * Zones are in PDF points (1/72 inch) measured from the page's top-left corner, as a designer reads a
 * page; pdf.ts turns them round for pdf-lib, whose origin is the bottom-left.
 */

/** A6 portrait in points (105 × 148 mm). */
export const TICKET_PAGE = { width: 298, height: 420 } as const

/** A rectangle on the page, in points from the top-left corner. */
export interface Zone {
  x: number
  y: number
  width: number
  height: number
}

/** What each text line of a zone prints, in order, with its size in points. */
export type LineKey = 'title' | 'type' | 'when' | 'where' | 'holder' | 'price' | 'organiser' | 'terms' | 'ticketNo'
export interface LineSpec {
  key: LineKey
  size: number
  bold?: boolean
}

/** Inner margin of a text zone: its lines start this far inside it. */
export const ZONE_PADDING = 8
/** Line height as a multiple of the font size. */
export const LINE_HEIGHT = 1.4

export const TICKET_ZONES = {
  /** The event: title, ticket type, date and time (Nairobi), venue. */
  details: { x: 16, y: 16, width: 266, height: 86 },
  /** The QR code, on a white square of its own (with its quiet zone inside). */
  qr: { x: 59, y: 110, width: 180, height: 180 },
  /** The holder: name, price paid, organiser, the terms' link, the ticket number. */
  holder: { x: 16, y: 298, width: 266, height: 106 },
} as const satisfies Record<string, Zone>

export type ZoneName = keyof typeof TICKET_ZONES

export const ZONE_LINES: Record<'details' | 'holder', LineSpec[]> = {
  details: [
    { key: 'title', size: 14, bold: true },
    { key: 'type', size: 11 },
    { key: 'when', size: 10 },
    { key: 'where', size: 10 },
  ],
  holder: [
    { key: 'holder', size: 11, bold: true },
    { key: 'price', size: 10 },
    { key: 'organiser', size: 10 },
    { key: 'terms', size: 8 },
    { key: 'ticketNo', size: 8 },
  ],
}

/** Each line of a text zone with its baseline, in points from the top of the page. */
export function lineBaselines(zone: 'details' | 'holder'): Array<LineSpec & { baseline: number }> {
  let top = TICKET_ZONES[zone].y + ZONE_PADDING
  return ZONE_LINES[zone].map((line) => {
    top += line.size * LINE_HEIGHT
    return { ...line, baseline: top - line.size * (LINE_HEIGHT - 1) }
  })
}

/** Points to millimetres, one decimal. */
export function pointsToMm(points: number): number {
  return Math.round((points * 25.4 * 10) / 72) / 10
}

/** Points to pixels at `dpi`, rounded. */
export function pointsToPixels(points: number, dpi: number): number {
  return Math.round((points * dpi) / 72)
}

/** The resolution the guide recommends for a background image: sharp in print, within the upload's pixel limit. */
export const TEMPLATE_DPI = 300
