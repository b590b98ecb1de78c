/** PNG files made to measure for the upload checks: real ones, broken ones and decompression bombs. */
import { crc32, deflateSync, createDeflate } from 'node:zlib'

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** One PNG chunk: length, type, data, CRC-32 of type and data. */
export function pngChunk(type: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const out = Buffer.alloc(8 + data.length + 4)
  out.writeUInt32BE(data.length, 0)
  typed.copy(out, 4)
  out.writeUInt32BE(crc32(typed), 8 + data.length)
  return out
}

export interface PngHeader {
  width: number
  height: number
  bitDepth?: number
  colorType?: number
  interlace?: 0 | 1
}

function ihdr({ width, height, bitDepth = 8, colorType = 2, interlace = 0 }: PngHeader): Uint8Array<ArrayBuffer> {
  const data = Buffer.alloc(13)
  data.writeUInt32BE(width, 0)
  data.writeUInt32BE(height, 4)
  data.set([bitDepth, colorType, 0, 0, interlace], 8)
  return pngChunk('IHDR', data)
}

/** A PNG file of this header whose IDAT holds `idat` (already compressed). */
export function pngWith(header: PngHeader, idat: Uint8Array, extra: Uint8Array[] = []): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.concat([Buffer.from(SIGNATURE), ihdr(header), ...extra, pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]))
}

/** A blank PNG whose pixel data is exactly `filteredBytes` long (every row filter 0, all pixels 0). */
export function blankPng(header: PngHeader, filteredBytes: number): Uint8Array<ArrayBuffer> {
  return pngWith(header, deflateSync(Buffer.alloc(filteredBytes), { level: 9 }))
}

/** The filtered size of a non-interlaced image: a filter byte and the packed pixels per row. */
export function filteredSize(width: number, height: number, bitsPerPixel: number): number {
  return height * (1 + Math.ceil((width * bitsPerPixel) / 8))
}

/**
 * The decompression bomb of the security probe: a width×height RGB PNG of zeros, compressed row by row
 * (so the test never holds the inflated pixels either). 8000×8000 is 192 MB of pixels in ~187 KB.
 */
export async function pngBomb(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const deflate = createDeflate({ level: 9 })
  const parts: Buffer[] = []
  deflate.on('data', (part: Buffer) => parts.push(part))
  const ended = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject))
  const row = Buffer.alloc(width * 3 + 1)
  for (let y = 0; y < height; y++) {
    if (!deflate.write(row)) await new Promise((resolve) => deflate.once('drain', resolve))
  }
  deflate.end()
  await ended
  return pngWith({ width, height, bitDepth: 8, colorType: 2 }, Buffer.concat(parts))
}
