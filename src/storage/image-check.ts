/**
 * Whether an uploaded image is really one, all the way through, and small enough to draw: a file that
 * merely starts with an image's signature must never be stored, because every buyer's PDF for the
 * event (or every buyer's phone, for a poster) would then try to draw it. Nothing here decodes pixels:
 * the size comes from the header first, and an image over the limit is refused before anything is
 * inflated, so a 187 KB PNG that decodes to 192 MB costs no more than reading 29 bytes. Pure Web APIs
 * (Deno and Workers alike).
 *
 * - PNG (png-check.ts): IHDR, every chunk's CRC-32, and the pixel data inflated (counted, not kept)
 *   to exactly the size the header promises.
 * - JPEG: the segments walked from SOI to the scan, a frame header (SOFn) with a non-zero size, the
 *   file ending in EOI.
 * - WebP (webp-check.ts): the RIFF chunks adding up to the file, each frame a real VP8 or VP8L header.
 */
import type { BlobContentType } from '../db/schema.ts'
import { u16be } from './image-bytes.ts'
import { readPng } from './png-check.ts'
import { readWebp } from './webp-check.ts'

/** The most pixels an image may have, a side and in all. */
export interface PixelLimit {
  side: number
  pixels: number
}

/**
 * The pixel limits, by what the image is for.
 * - A poster is shown on phones (even a 1440×3200 screen is 4.6 megapixels) and only ever decoded by
 *   browsers: 4096 a side and 16.8 megapixels lets a phone camera's 4032×3024 photo through as it is.
 * - A ticket template is drawn behind an A6 ticket (105×148 mm: 1240×1748 px at 300 dpi), and pdf-lib
 *   decodes a PNG template and deflates it again for every buyer's PDF, synchronously: measured on this
 *   machine, 0.7 s at 2048×2048 but 3 to 4 s at 4096×4096, which also needs more memory than a Worker
 *   has (128 MB). 2048 a side (350 dpi on the ticket) and 4.2 megapixels.
 */
export const IMAGE_PIXEL_LIMITS = {
  poster: { side: 4096, pixels: 4096 * 4096 },
  ticket_template: { side: 2048, pixels: 2048 * 2048 },
} as const satisfies Record<string, PixelLimit>

/** What a format's reader makes of a file: the size its header claims, and whether the rest holds up. */
export interface ImageHeader {
  width: number
  height: number
  intact(): boolean | Promise<boolean>
}

export type ImageVerdict =
  | { ok: true; width: number; height: number }
  | { ok: false; problem: 'damaged' }
  | { ok: false; problem: 'too_many_pixels'; width: number; height: number }

/** SOF0…SOF15: the frame headers (c4 is DHT, c8 JPG and cc DAC, which share the range). */
const isFrameMarker = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

/** A JPEG's size from its first frame header (SOFn), and whether its segments run from SOI to a scan and EOI. */
function readJpeg(bytes: Uint8Array): ImageHeader | undefined {
  let at = 2
  let frame: { width: number; height: number } | undefined
  let intact = false
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break
    const marker = bytes[at + 1]!
    if (marker === 0xff) { at++; continue }
    if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) break
    const length = u16be(bytes, at + 2)
    if (length < 2 || at + 2 + length > bytes.length) break
    if (isFrameMarker(marker) && !frame) {
      // precision, height, width, component count, then three bytes a component
      if (length < 8 || length !== 8 + 3 * bytes[at + 9]!) break
      frame = { height: u16be(bytes, at + 5), width: u16be(bytes, at + 7) }
    }
    if (marker === 0xda) {
      // the entropy-coded scan follows, up to the end-of-image marker that closes the file
      const ends = bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9
      intact = ends && bytes.length > at + 2 + length + 2
      break
    }
    at += 2 + length
  }
  // a height of zero (defined later by a DNL segment) is legal JPEG, but neither pdf-lib nor browsers draw it
  if (!frame || frame.width === 0 || frame.height === 0) return undefined
  return { ...frame, intact: () => intact }
}

function readHeader(contentType: BlobContentType, bytes: Uint8Array<ArrayBuffer>): ImageHeader | undefined {
  if (contentType === 'image/png') return readPng(bytes)
  if (contentType === 'image/jpeg') return readJpeg(bytes)
  if (contentType === 'image/webp') return readWebp(bytes)
  return undefined
}

/**
 * Whether `bytes`, already sniffed as `contentType`, is a whole image of that type within `limit`.
 * The size is checked before anything else is read, let alone inflated.
 */
export async function inspectImage(contentType: BlobContentType, bytes: Uint8Array<ArrayBuffer>, limit: PixelLimit): Promise<ImageVerdict> {
  const header = readHeader(contentType, bytes)
  if (!header) return { ok: false, problem: 'damaged' }
  const { width, height } = header
  if (width > limit.side || height > limit.side || width * height > limit.pixels) return { ok: false, problem: 'too_many_pixels', width, height }
  return (await header.intact()) ? { ok: true, width, height } : { ok: false, problem: 'damaged' }
}
