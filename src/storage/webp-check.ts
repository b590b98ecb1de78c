/**
 * WebP files (posters only: browsers decode them, PDFs never see them), checked without decoding: the
 * RIFF chunks must add up to the file exactly, and every frame must start with a real VP8 key-frame
 * header or VP8L header. The size is the VP8X canvas or, for a simple file, the frame's own.
 */
import type { ImageHeader } from './image-check.ts'
import { ascii, u16le, u24le, u32le } from './image-bytes.ts'

interface Chunk {
  fourcc: string
  /** where the chunk's data starts */
  at: number
  size: number
}

interface Size {
  width: number
  height: number
}

const RIFF_HEADER = 12
const CHUNK_HEADER = 8
const VP8X_ANIMATION = 0x02
/** An ANMF chunk's frame position, size, duration and flags come before its frame's own chunks. */
const ANMF_HEADER = 16

/** The chunks from `start` to exactly `end`, each padded to an even size; undefined if they do not add up. */
function chunksBetween(bytes: Uint8Array, start: number, end: number): Chunk[] | undefined {
  const chunks: Chunk[] = []
  let at = start
  while (at < end) {
    if (at + CHUNK_HEADER > end) return undefined
    const size = u32le(bytes, at + 4)
    if (at + CHUNK_HEADER + size > end) return undefined
    chunks.push({ fourcc: ascii(bytes, at, 4), at: at + CHUNK_HEADER, size })
    at += CHUNK_HEADER + size + (size & 1)
  }
  return at === end ? chunks : undefined
}

/**
 * A lossy frame's size, if its header is a real one: a shown key frame whose first partition fits in
 * the chunk with data after it, the start code 9d 01 2a, and a non-zero width and height (RFC 6386 9.1).
 */
function vp8Size(bytes: Uint8Array, { at, size }: Chunk): Size | undefined {
  if (size < 10 || at + size > bytes.length) return undefined
  const tag = u24le(bytes, at)
  const [keyFrame, version, shown, firstPartition] = [(tag & 1) === 0, (tag >> 1) & 7, (tag >> 4) & 1, tag >>> 5]
  if (!keyFrame || version > 3 || !shown || firstPartition === 0 || 10 + firstPartition >= size) return undefined
  if (bytes[at + 3] !== 0x9d || bytes[at + 4] !== 0x01 || bytes[at + 5] !== 0x2a) return undefined
  const [width, height] = [u16le(bytes, at + 6) & 0x3fff, u16le(bytes, at + 8) & 0x3fff]
  return width > 0 && height > 0 ? { width, height } : undefined
}

/**
 * A lossless frame's size, if its header is a real one: the signature 0x2f, version 0, and a bitstream
 * that is not all zeros (zero bits would read as a prefix code whose code lengths are all zero, which
 * is no code at all).
 */
function vp8lSize(bytes: Uint8Array, { at, size }: Chunk): Size | undefined {
  if (size < 6 || at + size > bytes.length || bytes[at] !== 0x2f) return undefined
  const bits = u32le(bytes, at + 1)
  if (bits >>> 29 !== 0) return undefined
  if (bytes.subarray(at + 5, at + size).every((byte) => byte === 0)) return undefined
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
}

function frameSize(bytes: Uint8Array, chunk: Chunk): Size | undefined {
  if (chunk.fourcc === 'VP8 ') return vp8Size(bytes, chunk)
  if (chunk.fourcc === 'VP8L') return vp8lSize(bytes, chunk)
  return undefined
}

const isFrame = (chunk: Chunk) => chunk.fourcc === 'VP8 ' || chunk.fourcc === 'VP8L'

/** Whether an extended file's frames are real and fit its canvas: one frame the canvas's size, or animation frames inside it. */
function extendedFramesFit(bytes: Uint8Array, chunks: Chunk[], canvas: Size, animated: boolean): boolean {
  if (!animated) {
    const frames = chunks.filter(isFrame)
    const size = frames.length === 1 ? frameSize(bytes, frames[0]!) : undefined
    return size !== undefined && size.width === canvas.width && size.height === canvas.height
  }
  const animationFrames = chunks.filter((chunk) => chunk.fourcc === 'ANMF')
  return animationFrames.length > 0 && animationFrames.every((anmf) => {
    if (anmf.size < ANMF_HEADER) return false
    const [x, y] = [u24le(bytes, anmf.at) * 2, u24le(bytes, anmf.at + 3) * 2]
    const [width, height] = [u24le(bytes, anmf.at + 6) + 1, u24le(bytes, anmf.at + 9) + 1]
    const inner = chunksBetween(bytes, anmf.at + ANMF_HEADER, anmf.at + anmf.size)
    const frames = inner?.filter(isFrame) ?? []
    const size = frames.length === 1 ? frameSize(bytes, frames[0]!) : undefined
    return size !== undefined && size.width === width && size.height === height && x + width <= canvas.width && y + height <= canvas.height
  })
}

/** The size the file claims and, on demand, whether the rest holds up; undefined when its first chunk is no image header. */
export function readWebp(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes.length < RIFF_HEADER + CHUNK_HEADER) return undefined
  const first: Chunk = { fourcc: ascii(bytes, RIFF_HEADER, 4), at: RIFF_HEADER + CHUNK_HEADER, size: u32le(bytes, RIFF_HEADER + 4) }
  const chunks = () => (u32le(bytes, 4) + 8 === bytes.length ? chunksBetween(bytes, RIFF_HEADER, bytes.length) : undefined)
  if (first.fourcc === 'VP8X') {
    if (first.size !== 10 || first.at + first.size > bytes.length) return undefined
    const canvas = { width: u24le(bytes, first.at + 4) + 1, height: u24le(bytes, first.at + 7) + 1 }
    const animated = (bytes[first.at]! & VP8X_ANIMATION) !== 0
    return { ...canvas, intact: () => { const all = chunks(); return all !== undefined && extendedFramesFit(bytes, all.slice(1), canvas, animated) } }
  }
  const size = frameSize(bytes, first)
  return size && { ...size, intact: () => chunks() !== undefined }
}
