import { PDFDocument } from 'pdf-lib'
import { deflateSync } from 'node:zlib'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { IMAGE_PIXEL_LIMITS, inspectImage } from '../../src/storage/image-check.ts'
import { blankPng, filteredSize, pngBomb, pngChunk, pngWith } from '../support/png.ts'

const base64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'))
const poster = IMAGE_PIXEL_LIMITS.poster
const template = IMAGE_PIXEL_LIMITS.ticket_template

// Real files (made with sharp): a 1×1 PNG, a 4×3 JPEG, a lossy and a lossless 4×3 WebP, and two interlaced
// (Adam7) PNGs: a 9×9 one-bit grey one and a 33×17 RGBA one, whose passes all have different sizes.
const PNG = base64('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==')
const JPEG = base64('/9j/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwgIyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCj/wAARCAADAAQDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAf/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABgf/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCXADS2v//Z')
const WEBP = base64('UklGRjwAAABXRUJQVlA4IDAAAADQAQCdASoEAAMAAUAmJaACdLoB+AADsAD+9hNf/izkYjs83/4E78Cd+BO/8AAAAAA=')
const WEBP_LOSSLESS = base64('UklGRh4AAABXRUJQVlA4TBEAAAAvA4AAAAdQhSJXof+BiOh/AAA=')
const INTERLACED_GREY = base64('iVBORw0KGgoAAAANSUhEUgAAAAkAAAAJAQAAAAG/7QsrAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAALklEQVR42mNgYHBgaABCByBkANInGGYwKDBMYEhg2MBwgMGCgaGdgeFjA4McAwCh6whvRshUaQAAAABJRU5ErkJggg==')
const INTERLACED_RGBA = base64('iVBORw0KGgoAAAANSUhEUgAAACEAAAARCAYAAAEkmfVUAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAEeElEQVR4nMWV5V+eZRiGb0eDjobp6FA6dHQoHToapnToaN4pHToapqNhjobp6FD6BR0NUzp0NEzp0NGwT/7Ob37k2/sHPL/rue7zOM6LkG/f/iFPokFHkWo6PWC7HOC6Hc5IcsXrtRU6TKb6bZb8XbbCGI7iOAqIfLvxZJ/1op/zZij9YSx7/nfv/PgBeX7n5T3P/WjW82Te0iyRGg3isRfFcpbEU5IpXK0u02IwRk4TuYszhKrUpJv1R5/dfnGXmM96HfCXK3WuBl2k1GkN2kUyZ4saT7rtcBfLtS36nSRUqfVakZXA8+RazQHbCKYsEaMJ122uItnWBd/j+ErVHssQujQBvRHHdfL5P1+/qdxlPnuZyl8+ZL8alCNWp+W+G8mMP8VY0qAz7BDNmituOu2xx1uq0LEccJZUo9FvE86YKWw47rJFLlL4ygbtVgKzRWs13XYimOTajCZOEriKeq0WfNMFK1WJyZT7Lk+JfPuS/2litXqfdRhDhpDBmPMmR4F085z3YSzB0ngz2VbD8eN4zsIey3mfNIEKFcf14Gvv/fzR70SyUff5gxtPlA9i2PIc1iiXnWYznuL12kMpfGWKe1EsOXYrgecdJlPuorWaA0k8JfI7EUxZNkv+p21GE67C1ep9CVxFsoRymco/47kfrT1kv1qmSDVlyRGrCzxP5p1y343UHLBdLpFvN2bKEqnxP03knnDdDlfvs14skm01ZMgQqvI9juccc94MJVTTaQ+xOq3BZN5Shd1I5mzb5YCzduNJN5Eajf5E7mK57XDGTOtFv5NWw3EXoSq13njOQpnNUPp0y3mfo2b9USeBCpVuwpwtWhtwlsQz6bYTodFvs1Qs12bEmClc7XeSwDXushWm1mu1UCjTYkCfLljpcxTHMeq0EaLSbTGXL9Wkd+3hzad3X92/Tt7/5eM/Hkk26r5+cOOJ10EM27DDGkWp02wG3CESQIRYwCCiAVCIBzwiInLn5b3XXeazXhINOsOp/OVK+9GsufarQRdXXZHEsOVJrFEuU81mPPfrtYfs+coUqVEsOWLgDpmDPeQO/pA9GET+4BAMkHKlTjPWXPH6oIsUvmmPvSitQbuVUoUOk6u+DwGwkA7Qwh6ACwEBL6ACwAALygEuOATAoB8gI1eFZyuMIcNqwfe4xWDMWbBStSeOo0B6I4QujcAIyAcrICDMgISwAyLCEMjIWSjTEkqfLjjvcxSnP+q0UaHSbcGeL9VErkqeao/lfIF0sz5dmkCF92Es+4jjevCtZ7dfkP9nisKAeugb6IfygILoHqeNELpuizlvqSa9kYc3n956df/648/+/uoNgo/6ECgWBbdYFuxiYfCLpcEwFgfHWB4s4wHAswUkxjIolGAAih8DpI9hL4ag53795M8v/v3mre/f/enD3z7960uUJhhGAT0iNJor2aiL9oVDyl2ERnPNZ+EvDsiwwxqh0VwKDgD6A5eI0GhuLkodHYRiJzSaS8WlQ4/hsBIazV3BZUIX4joRGs1FD6Of0MUl/wHOIUdm0K4p1gAAAABJRU5ErkJggg==')

/** The RIFF container around one chunk, sizes right: what a WebP file is made of. */
function webpOf(fourcc: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  const padded = data.length % 2 ? [...data, 0] : [...data]
  const riff = Buffer.alloc(20 + padded.length)
  riff.write('RIFF', 0, 'latin1')
  riff.writeUInt32LE(12 + padded.length, 4)
  riff.write(`WEBP${fourcc}`, 8, 'latin1')
  riff.writeUInt32LE(data.length, 16)
  riff.set(padded, 20)
  return new Uint8Array(riff)
}

/** A JPEG whose frame header (SOF0) claims width×height; the rest of the file is the real 4×3 one. */
function jpegClaiming(width: number, height: number): Uint8Array<ArrayBuffer> {
  const bytes = JPEG.slice()
  const sof = bytes.findIndex((byte, i) => byte === 0xff && bytes[i + 1] === 0xc0)
  expect(sof).toBeGreaterThan(0)
  bytes.set([height >> 8, height & 0xff, width >> 8, width & 0xff], sof + 5)
  return bytes
}

/** Counts the inflaters and PNG decoders made while `run` runs. */
async function decodesDuring(run: () => Promise<unknown>) {
  const Real = globalThis.DecompressionStream
  let inflaters = 0
  vi.stubGlobal('DecompressionStream', class extends Real {
    constructor(format: CompressionFormat) {
      super(format)
      inflaters++
    }
  })
  const embedPng = vi.spyOn(PDFDocument.prototype, 'embedPng')
  try {
    const result = await run()
    return { result, inflaters, pngDecodes: embedPng.mock.calls.length }
  } finally {
    vi.unstubAllGlobals()
    embedPng.mockRestore()
  }
}

afterEach(() => vi.unstubAllGlobals())

describe('the pixel limit, read from the header before anything is decoded', () => {
  let bomb: Uint8Array<ArrayBuffer>
  beforeAll(async () => {
    bomb = await pngBomb(8000, 8000)
  })

  it('keeps posters to 4096 px a side and 16.8 megapixels, ticket templates to 2048 and 4.2', () => {
    expect(poster).toEqual({ side: 4096, pixels: 4096 * 4096 })
    expect(template).toEqual({ side: 2048, pixels: 2048 * 2048 })
  })

  it('refuses the 8000×8000 PNG bomb of the probe (187 KB) without inflating it or handing it to pdf-lib', async () => {
    expect(bomb.byteLength).toBeLessThan(200_000)
    for (const limit of [poster, template]) {
      const { result, inflaters, pngDecodes } = await decodesDuring(() => inspectImage('image/png', bomb, limit))
      expect(result).toEqual({ ok: false, problem: 'too_many_pixels', width: 8000, height: 8000 })
      expect([inflaters, pngDecodes]).toEqual([0, 0])
    }
  })

  it('accepts a 4096×4096 PNG poster, the limit itself, and refuses one pixel more either way', async () => {
    // one-bit grey keeps the test small: 4096 rows of 1 + 512 bytes
    const grey = (width: number, height: number) => blankPng({ width, height, bitDepth: 1, colorType: 0 }, filteredSize(width, height, 1))
    expect(await inspectImage('image/png', grey(4096, 4096), poster)).toEqual({ ok: true, width: 4096, height: 4096 })
    expect(await inspectImage('image/png', grey(4097, 1), poster)).toMatchObject({ ok: false, problem: 'too_many_pixels', width: 4097 })
    expect(await inspectImage('image/png', grey(1, 4097), poster)).toMatchObject({ ok: false, problem: 'too_many_pixels', height: 4097 })
    expect(await inspectImage('image/png', grey(2048, 2048), template)).toEqual({ ok: true, width: 2048, height: 2048 })
    expect(await inspectImage('image/png', grey(2049, 2048), template)).toMatchObject({ ok: false, problem: 'too_many_pixels' })
    expect(await inspectImage('image/png', grey(4096, 4096), template)).toMatchObject({ ok: false, problem: 'too_many_pixels' })
  })

  it('reads a JPEG\'s size from its frame header (SOF) and a WebP\'s from VP8, VP8L or VP8X', async () => {
    expect(await inspectImage('image/jpeg', JPEG, poster)).toEqual({ ok: true, width: 4, height: 3 })
    expect(await inspectImage('image/jpeg', jpegClaiming(4096, 4096), poster)).toEqual({ ok: true, width: 4096, height: 4096 })
    expect(await inspectImage('image/jpeg', jpegClaiming(4097, 300), poster)).toEqual({ ok: false, problem: 'too_many_pixels', width: 4097, height: 300 })
    expect(await inspectImage('image/jpeg', jpegClaiming(60000, 60000), template)).toEqual({ ok: false, problem: 'too_many_pixels', width: 60000, height: 60000 })
    expect(await inspectImage('image/jpeg', jpegClaiming(4, 0), poster)).toEqual({ ok: false, problem: 'damaged' })
    expect(await inspectImage('image/webp', WEBP, poster)).toEqual({ ok: true, width: 4, height: 3 })
    expect(await inspectImage('image/webp', WEBP_LOSSLESS, poster)).toEqual({ ok: true, width: 4, height: 3 })

    // a lossless 16384×16384 header: a few bytes that would cost a phone 1 GB
    const huge = WEBP_LOSSLESS.slice()
    const bits = (16383) | (16383 << 14)
    huge.set([bits & 0xff, (bits >> 8) & 0xff, (bits >> 16) & 0xff, (huge[24]! & 0xf0) | ((bits >> 24) & 0x0f)], 21)
    expect(await inspectImage('image/webp', huge, poster)).toEqual({ ok: false, problem: 'too_many_pixels', width: 16384, height: 16384 })

    // an extended (VP8X) file: its canvas is what the browser allocates
    const canvas = (width: number, height: number) => {
      const vp8x = new Uint8Array(10)
      vp8x.set([(width - 1) & 0xff, ((width - 1) >> 8) & 0xff, (width - 1) >> 16, (height - 1) & 0xff, ((height - 1) >> 8) & 0xff, (height - 1) >> 16], 4)
      const frame = WEBP.subarray(12) // the VP8 chunk, header included
      const body = Buffer.concat([Buffer.from('VP8X'), Buffer.from([10, 0, 0, 0]), vp8x, frame])
      const riff = Buffer.alloc(8)
      riff.write('RIFF', 0, 'latin1')
      riff.writeUInt32LE(4 + body.length, 4)
      return new Uint8Array(Buffer.concat([riff, Buffer.from('WEBP'), body]))
    }
    expect(await inspectImage('image/webp', canvas(4, 3), poster)).toEqual({ ok: true, width: 4, height: 3 })
    expect(await inspectImage('image/webp', canvas(5000, 5000), poster)).toEqual({ ok: false, problem: 'too_many_pixels', width: 5000, height: 5000 })
  })
})

describe('PNG pixel data must inflate to exactly what the header promises', () => {
  it('accepts real PNGs, interlaced ones too (all seven Adam7 passes counted)', async () => {
    expect(await inspectImage('image/png', PNG, poster)).toEqual({ ok: true, width: 1, height: 1 })
    expect(await inspectImage('image/png', INTERLACED_GREY, poster)).toEqual({ ok: true, width: 9, height: 9 })
    expect(await inspectImage('image/png', INTERLACED_RGBA, poster)).toEqual({ ok: true, width: 33, height: 17 })
  })

  it('refuses a 64×48 PNG whose IDAT is valid zlib but far too short, or one byte short, or one byte long', async () => {
    const header = { width: 64, height: 48, bitDepth: 8, colorType: 2 }
    const exact = filteredSize(64, 48, 24)
    expect(await inspectImage('image/png', blankPng(header, exact), poster)).toEqual({ ok: true, width: 64, height: 48 })
    for (const size of [200, exact - 1, exact + 1]) {
      expect(await inspectImage('image/png', blankPng(header, size), poster), `${size} bytes`).toEqual({ ok: false, problem: 'damaged' })
    }
  })

  it('refuses an interlaced PNG whose data is the size of the same image without interlacing', async () => {
    const header = { width: 33, height: 17, bitDepth: 8, colorType: 6, interlace: 1 as const }
    expect(await inspectImage('image/png', blankPng(header, filteredSize(33, 17, 32)), poster)).toEqual({ ok: false, problem: 'damaged' })
  })

  it('stops inflating a small image whose data goes on and on (1×1 promising 5 bytes, holding 50 MB)', async () => {
    const swollen = blankPng({ width: 1, height: 1, bitDepth: 8, colorType: 6 }, 50 * 1024 * 1024)
    expect(swollen.byteLength).toBeLessThan(100_000)
    expect(await inspectImage('image/png', swollen, poster)).toEqual({ ok: false, problem: 'damaged' })
  })

  it('refuses a row with an unknown filter type, a corrupt zlib stream, and impossible headers', async () => {
    const rows = Buffer.alloc(filteredSize(4, 2, 24))
    rows[13] = 5 // the second row's filter byte: only 0 to 4 exist
    expect(await inspectImage('image/png', pngWith({ width: 4, height: 2 }, deflateSync(rows)), poster)).toEqual({ ok: false, problem: 'damaged' })
    const corrupt = deflateSync(Buffer.alloc(filteredSize(4, 2, 24)))
    corrupt[corrupt.length - 1]! ^= 0xff // the Adler-32 checksum
    expect(await inspectImage('image/png', pngWith({ width: 4, height: 2 }, corrupt), poster)).toEqual({ ok: false, problem: 'damaged' })
    const data = (size: number) => deflateSync(Buffer.alloc(size))
    expect(await inspectImage('image/png', pngWith({ width: 0, height: 2 }, data(2)), poster)).toEqual({ ok: false, problem: 'damaged' })
    expect(await inspectImage('image/png', pngWith({ width: 4, height: 2, bitDepth: 3, colorType: 0 }, data(4)), poster)).toEqual({ ok: false, problem: 'damaged' })
    expect(await inspectImage('image/png', pngWith({ width: 4, height: 2, bitDepth: 8, colorType: 3 }, data(10)), poster)).toEqual({ ok: false, problem: 'damaged' }) // palette image without PLTE
    const palette = pngChunk('PLTE', new Uint8Array([0, 0, 0]))
    expect(await inspectImage('image/png', pngWith({ width: 4, height: 2, bitDepth: 8, colorType: 3 }, data(10), [palette]), poster)).toEqual({ ok: true, width: 4, height: 2 })
  })
})

describe('WebP frames must have a real frame header', () => {
  it('refuses the probe\'s 38 bytes: a RIFF/WEBP/"VP8 " header followed by zeros', async () => {
    const zeros = webpOf('VP8 ', new Uint8Array(18))
    expect(zeros.byteLength).toBe(38)
    expect(await inspectImage('image/webp', zeros, poster)).toEqual({ ok: false, problem: 'damaged' })
  })

  it('refuses a VP8 start code and size followed by zeros, a zero-sized frame, and a frame tag that is not a shown key frame', async () => {
    const frame = WEBP.slice(20) // the real VP8 frame: tag, start code, 4×3, partitions
    const withHeader = (header: number[]) => { const copy = frame.slice(); copy.set(header); return webpOf('VP8 ', copy) }
    expect(await inspectImage('image/webp', webpOf('VP8 ', frame), poster)).toEqual({ ok: true, width: 4, height: 3 })
    const startThenZeros = new Uint8Array(frame.length)
    startThenZeros.set(frame.subarray(0, 10))
    startThenZeros.set([0, 0, 0], 0) // the frame tag zeroed too: no first partition, not shown
    expect(await inspectImage('image/webp', webpOf('VP8 ', startThenZeros), poster)).toEqual({ ok: false, problem: 'damaged' })
    expect(await inspectImage('image/webp', withHeader([frame[0]!, frame[1]!, frame[2]!, 0x9d, 0x01, 0x2a, 0, 0, 3, 0]), poster)).toEqual({ ok: false, problem: 'damaged' })
    expect(await inspectImage('image/webp', withHeader([frame[0]! | 1]), poster)).toEqual({ ok: false, problem: 'damaged' }) // an inter frame
    expect(await inspectImage('image/webp', withHeader([frame[0]! & ~0x10]), poster)).toEqual({ ok: false, problem: 'damaged' }) // not shown
    expect(await inspectImage('image/webp', withHeader([0xf0, 0xff, 0xff]), poster)).toEqual({ ok: false, problem: 'damaged' }) // first partition past the end
  })

  it('refuses a VP8L signature followed by zeros, and chunk sizes that disagree with the file', async () => {
    const lossless = WEBP_LOSSLESS.slice(20, 20 + 17)
    const zeros = new Uint8Array(lossless.length)
    zeros[0] = 0x2f
    expect(await inspectImage('image/webp', webpOf('VP8L', lossless), poster)).toEqual({ ok: true, width: 4, height: 3 })
    expect(await inspectImage('image/webp', webpOf('VP8L', zeros), poster)).toEqual({ ok: false, problem: 'damaged' })
    expect(await inspectImage('image/webp', webpOf('VP8L', new Uint8Array(17)), poster)).toEqual({ ok: false, problem: 'damaged' })
    const longer = new Uint8Array([...WEBP, 0, 0])
    expect(await inspectImage('image/webp', longer, poster)).toEqual({ ok: false, problem: 'damaged' })
    const riffShort = WEBP.slice()
    riffShort[4]! -= 2
    expect(await inspectImage('image/webp', riffShort, poster)).toEqual({ ok: false, problem: 'damaged' })
    const chunkLong = WEBP.slice()
    chunkLong[16]! += 2
    expect(await inspectImage('image/webp', chunkLong, poster)).toEqual({ ok: false, problem: 'damaged' })
  })
})
