/**
 * Whether an uploaded image is really one, all the way through: a file that merely starts with an
 * image's signature must never be stored, because every buyer's PDF for the event would then try to
 * draw it. Pure JavaScript (Deno and Workers alike).
 *
 * - PNG: every chunk read with its length and CRC-32, IHDR first and IEND last, then decoded by
 *   pdf-lib (which inflates the pixel data) exactly as the ticket PDF will.
 * - JPEG: the segments walked from SOI to the scan, a frame header present, the file ending in EOI,
 *   then embedded by pdf-lib as the ticket PDF will.
 * - WebP (posters only; browsers decode it, PDFs never see it): the RIFF size matches the file and its
 *   first chunk is a VP8, VP8L or VP8X chunk with its own signature and a size inside the file.
 */
import { PDFDocument } from 'pdf-lib'
import type { BlobContentType } from '../db/schema.ts'

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

const u32be = (bytes: Uint8Array, at: number) => ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
const u32le = (bytes: Uint8Array, at: number) => (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0
const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length))

function pngChunksIntact(bytes: Uint8Array): boolean {
  let at = 8
  let first = true
  while (at + 12 <= bytes.length) {
    const length = u32be(bytes, at)
    const type = ascii(bytes, at + 4, 4)
    const end = at + 8 + length
    if (end + 4 > bytes.length) return false
    if (crc32(bytes, at + 4, end) !== u32be(bytes, end)) return false
    if (first && type !== 'IHDR') return false
    first = false
    if (type === 'IEND') return end + 4 === bytes.length
    at = end + 4
  }
  return false
}

function jpegSegmentsIntact(bytes: Uint8Array): boolean {
  let at = 2
  let frame = false
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return false
    const marker = bytes[at + 1]!
    if (marker === 0xff) { at++; continue }
    if (marker === 0xd8 || marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) return false
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (length < 2 || at + 2 + length > bytes.length) return false
    // SOF0…SOF15, except DHT (c4), JPG (c8) and DAC (cc)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) frame = true
    if (marker === 0xda) {
      // the entropy-coded scan follows, up to the end-of-image marker that closes the file
      const ends = bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9
      return frame && ends && bytes.length > at + 2 + length + 2
    }
    at += 2 + length
  }
  return false
}

function webpIntact(bytes: Uint8Array): boolean {
  if (bytes.length < 30 || u32le(bytes, 4) + 8 !== bytes.length) return false
  const chunk = ascii(bytes, 12, 4)
  const size = u32le(bytes, 16)
  if (20 + size > bytes.length) return false
  if (chunk === 'VP8 ') return size >= 10 && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a
  if (chunk === 'VP8L') return size >= 5 && bytes[20] === 0x2f
  if (chunk === 'VP8X') return size === 10
  return false
}

/** Whether pdf-lib can draw the image, tried in a scratch document (the real one is left alone). */
async function embedsInPdf(contentType: 'image/png' | 'image/jpeg', bytes: Uint8Array): Promise<boolean> {
  try {
    const scratch = await PDFDocument.create()
    const image = contentType === 'image/png' ? await scratch.embedPng(bytes) : await scratch.embedJpg(bytes)
    await image.embed()
    return image.width > 0 && image.height > 0
  } catch {
    return false
  }
}

/** Whether `bytes`, already sniffed as `contentType`, is a whole image of that type. */
export async function imageDecodes(contentType: BlobContentType, bytes: Uint8Array): Promise<boolean> {
  if (contentType === 'image/png') return pngChunksIntact(bytes) && embedsInPdf(contentType, bytes)
  if (contentType === 'image/jpeg') return jpegSegmentsIntact(bytes) && embedsInPdf(contentType, bytes)
  if (contentType === 'image/webp') return webpIntact(bytes)
  return false
}
