/**
 * PNG files, checked without decoding them: the size from IHDR, every chunk's length and CRC-32, and the
 * pixel data inflated only to count it. A PNG's IDAT must inflate to exactly one filter byte plus the
 * packed pixels per row (per row of each Adam7 pass when interlaced): more is a decompression bomb or
 * junk, less is a truncated image that pdf-lib would draw as garbage rather than refuse.
 */
import { feedInPieces } from '../lib/inflate.ts'
import type { ImageHeader } from './image-check.ts'
import { ascii, u32be } from './image-bytes.ts'

const SIGNATURE_BYTES = 8
/** Channels per colour type, and the bit depths each allows (PNG spec, table 11.1). */
const COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] }, // grey
  2: { channels: 3, depths: [8, 16] }, // RGB
  3: { channels: 1, depths: [1, 2, 4, 8] }, // palette
  4: { channels: 2, depths: [8, 16] }, // grey and alpha
  6: { channels: 4, depths: [8, 16] }, // RGBA
}
/** Adam7: each pass's first column and row, and its steps across and down. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const
const MAX_FILTER_TYPE = 4

/** One run of same-sized rows in the filtered data: the whole image, or one interlace pass. */
interface RowRun {
  rows: number
  /** the filter byte plus the packed pixels */
  rowBytes: number
}

interface PngLayout {
  width: number
  height: number
  bitsPerPixel: number
  interlaced: boolean
  palette: boolean
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff
  for (let i = start; i < end; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** The rows the filtered data holds: one run, or the non-empty ones of the seven passes. */
export function rowRuns({ width, height, bitsPerPixel, interlaced }: PngLayout): RowRun[] {
  const rowBytes = (columns: number) => 1 + Math.ceil((columns * bitsPerPixel) / 8)
  if (!interlaced) return [{ rows: height, rowBytes: rowBytes(width) }]
  return ADAM7
    .map(([x0, y0, dx, dy]) => ({ columns: Math.max(0, Math.ceil((width - x0) / dx)), rows: Math.max(0, Math.ceil((height - y0) / dy)) }))
    .filter((pass) => pass.columns > 0 && pass.rows > 0) // an empty pass has no filter bytes either
    .map((pass) => ({ rows: pass.rows, rowBytes: rowBytes(pass.columns) }))
}

/** The IDAT chunks' data, in order, if every chunk is whole: IHDR first, IDATs together, IEND closing the file. */
function idatParts(bytes: Uint8Array<ArrayBuffer>, palette: boolean): Uint8Array<ArrayBuffer>[] | undefined {
  const parts: Uint8Array<ArrayBuffer>[] = []
  let at = SIGNATURE_BYTES
  let previous = ''
  let hasPalette = false
  while (at + 12 <= bytes.length) {
    const length = u32be(bytes, at)
    const type = ascii(bytes, at + 4, 4)
    const end = at + 8 + length
    if (end + 4 > bytes.length || crc32(bytes, at + 4, end) !== u32be(bytes, end)) return undefined
    if ((at === SIGNATURE_BYTES) !== (type === 'IHDR')) return undefined
    if (type === 'PLTE') hasPalette = true
    if (type === 'IDAT') {
      if (parts.length > 0 && previous !== 'IDAT') return undefined // the spec wants them consecutive
      parts.push(bytes.subarray(at + 8, end))
    }
    if (type === 'IEND') return end + 4 === bytes.length && parts.length > 0 && (hasPalette || !palette) ? parts : undefined
    previous = type
    at = end + 4
  }
  return undefined
}

/**
 * Whether the zlib stream in `parts` inflates to exactly the rows given, each starting with a known
 * filter type. The inflated bytes are counted as they stream, never kept, and inflating stops at the
 * first byte past the expected size. DecompressionStream is a Web API: Deno and workerd have it.
 */
async function inflatesToRows(parts: Uint8Array<ArrayBuffer>[], runs: RowRun[]): Promise<boolean> {
  const expected = runs.reduce((sum, run) => sum + run.rows * run.rowBytes, 0)
  const inflater = new DecompressionStream('deflate')
  const writer = inflater.writable.getWriter()
  const reader = inflater.readable.getReader()
  let stopped = false
  void feedInPieces(writer, parts, () => stopped)
  let run = 0
  let rowInRun = 0
  let nextRowAt = 0
  /** Whether every row starting in this piece (at `offset` of the whole) has a known filter type. */
  const filtersKnown = (piece: Uint8Array, offset: number) => {
    while (run < runs.length && nextRowAt < offset + piece.length) {
      if (piece[nextRowAt - offset]! > MAX_FILTER_TYPE) return false
      nextRowAt += runs[run]!.rowBytes
      if (++rowInRun === runs[run]!.rows) [run, rowInRun] = [run + 1, 0]
    }
    return true
  }
  let inflated = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      if (inflated + value.byteLength > expected || !filtersKnown(value, inflated)) {
        stopped = true
        await reader.cancel()
        return false
      }
      inflated += value.byteLength
    }
  } catch {
    stopped = true
    return false
  }
  return inflated === expected
}

/** The size IHDR gives and, on demand, whether the rest of the file holds up; undefined when IHDR is impossible. */
export function readPng(bytes: Uint8Array<ArrayBuffer>): ImageHeader | undefined {
  if (bytes.length < SIGNATURE_BYTES + 25 || u32be(bytes, 8) !== 13 || ascii(bytes, 12, 4) !== 'IHDR') return undefined
  const [width, height] = [u32be(bytes, 16), u32be(bytes, 20)]
  const [bitDepth, colourType, compression, filter, interlace] = [bytes[24]!, bytes[25]!, bytes[26]!, bytes[27]!, bytes[28]!]
  const colour = COLOUR_TYPES[colourType]
  if (!width || !height || width > 0x7fffffff || height > 0x7fffffff) return undefined
  if (!colour || !colour.depths.includes(bitDepth) || compression !== 0 || filter !== 0 || interlace > 1) return undefined
  const layout = { width, height, bitsPerPixel: colour.channels * bitDepth, interlaced: interlace === 1, palette: colourType === 3 }
  return {
    width,
    height,
    intact: async () => {
      const parts = idatParts(bytes, layout.palette)
      return parts !== undefined && (await inflatesToRows(parts, rowRuns(layout)))
    },
  }
}
