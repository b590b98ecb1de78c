import { PDFArray, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { inspectPdfPage, PDF_PAGE_CONTENT_LIMIT, PDF_STRUCTURE_LIMIT, prescanPdfStreams } from '../../src/storage/pdf-check.ts'
import { deflatedZeros, flate, pdfBomb, pdfObjectStreamBomb, pdfWithContents, pdfWithStream } from '../support/pdf.ts'

const MB = 1024 * 1024
const load = (bytes: Uint8Array) => PDFDocument.load(bytes, { updateMetadata: false })
const inspect = async (bytes: Uint8Array, limit?: number) => inspectPdfPage(await load(bytes), limit)

describe('a PDF template page is inflated only to count it, up to a limit', () => {
  it('accepts a page pdf-lib drew (FlateDecode content), counting its inflated content', async () => {
    const doc = await PDFDocument.create()
    doc.addPage([298, 420]).drawText('Sauti za Pwani', { x: 20, y: 380 })
    const bytes = await doc.save()
    const loaded = await load(bytes)
    const contents = loaded.getPage(0).node.Contents()
    expect(contents).toBeInstanceOf(PDFArray) // pdf-lib writes its page content as an array (of one stream)
    const streams = (contents as PDFArray).asArray().map((ref) => loaded.context.lookup(ref) as PDFRawStream)
    expect(streams[0]).toBeInstanceOf(PDFRawStream)
    expect(streams.map((stream) => stream.dict.lookup(PDFName.of('Filter')))).toEqual([PDFName.of('FlateDecode')])
    expect(await inspect(bytes)).toEqual({ ok: true, contentBytes: expect.any(Number) })
    expect(((await inspect(bytes)) as { contentBytes: number }).contentBytes).toBeGreaterThan(20)
  })

  it('sets the limit at 4 MB of page content', () => {
    expect(PDF_PAGE_CONTENT_LIMIT).toBe(4 * MB)
  })

  it('refuses the 200 MB FlateDecode bomb (a few hundred KB of PDF) as too much content, in well under a second of inflating', async () => {
    const bomb = await pdfBomb()
    expect(bomb.byteLength).toBeLessThan(MB)
    const started = performance.now()
    expect(await inspect(bomb)).toEqual({ ok: false, problem: 'too_much_content' })
    // inflating all 200 MB takes seconds; stopping at 4 MB takes milliseconds (generous for a busy machine)
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it('counts to the byte, one stream or several together, compressed or not', async () => {
    const zeros = async (size: number) => ({ data: await deflatedZeros(size), filter: 'FlateDecode' })
    expect(await inspect(await pdfWithContents([await zeros(1000)]), 1000)).toEqual({ ok: true, contentBytes: 1000 })
    expect(await inspect(await pdfWithContents([await zeros(1001)]), 1000)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await inspect(await pdfWithContents([await zeros(600), await zeros(400)]), 1000)).toEqual({ ok: true, contentBytes: 1000 })
    expect(await inspect(await pdfWithContents([await zeros(600), await zeros(401)]), 1000)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await inspect(await pdfWithContents([await zeros(600), { data: new Uint8Array(401) }]), 1000)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await inspect(await pdfWithContents([{ data: new Uint8Array(1000) }]), 1000)).toEqual({ ok: true, contentBytes: 1000 })
    expect(await inspect(await pdfWithContents([{ data: flate('0 0 1 rg'), filter: ['FlateDecode'] }]), 1000)).toEqual({ ok: true, contentBytes: 8 })
  })

  it('counts a Form XObject the page draws as content too', async () => {
    const bytes = await pdfWithContents([{ data: flate('/Fm0 Do') }], { data: await deflatedZeros(10 * MB), filter: 'FlateDecode' })
    expect(await inspect(bytes)).toEqual({ ok: false, problem: 'too_much_content' })
  })

  it.each([
    ['LZW', 'LZWDecode', 'LZWDecode'],
    ['ASCII85', 'ASCII85Decode', 'ASCII85Decode'],
    ['a chain of ASCIIHex then Flate', ['ASCIIHexDecode', 'FlateDecode'], 'ASCIIHexDecode, FlateDecode'],
    ['a chain of Flate twice', ['FlateDecode', 'FlateDecode'], 'FlateDecode, FlateDecode'],
  ])('refuses content under %s, naming the filter, before inflating anything', async (_name, filter, named) => {
    // the Flate stream first is a bomb: were it inflated before the filters were checked, the verdict would be too_much_content
    const bytes = await pdfWithContents([{ data: await deflatedZeros(10 * MB), filter: 'FlateDecode' }, { data: new TextEncoder().encode('junk'), filter }])
    expect(await inspect(bytes)).toEqual({ ok: false, problem: 'unsupported_filter', filter: named })
  })

  it('refuses FlateDecode content that is not zlib, or is cut short, as damaged', async () => {
    expect(await inspect(await pdfWithContents([{ data: new TextEncoder().encode('not zlib at all'), filter: 'FlateDecode' }]))).toEqual({ ok: false, problem: 'damaged' })
    const cut = flate('0 0 1 rg 0 0 100 100 re f '.repeat(50))
    expect(await inspect(await pdfWithContents([{ data: cut.slice(0, cut.length - 6), filter: 'FlateDecode' }]))).toEqual({ ok: false, problem: 'damaged' })
  })

  it('has nothing to count on a page without contents (the embed check refuses that page later)', async () => {
    const doc = await PDFDocument.create()
    doc.addPage([298, 420])
    expect(await inspect(await doc.save())).toEqual({ ok: true, contentBytes: 0 })
  })
})

describe('object and cross-reference streams are inflated from the raw bytes, only to count them, before pdf-lib loads the PDF', () => {
  const objStm = '/Type /ObjStm /N 1 /First 4'

  it('accepts what pdf-lib saves by default (object streams and a cross-reference stream), counting them', async () => {
    const doc = await PDFDocument.create()
    doc.addPage([298, 420]).drawText('Sauti za Pwani', { x: 20, y: 380 })
    const bytes = await doc.save() // useObjectStreams: true
    const text = new TextDecoder('latin1').decode(bytes)
    expect(text).toContain('/Type /ObjStm')
    expect(text).toContain('/Type /XRef')
    const verdict = await prescanPdfStreams(bytes)
    expect(verdict).toEqual({ ok: true, structureBytes: expect.any(Number) })
    expect((verdict as { structureBytes: number }).structureBytes).toBeGreaterThan(100)
  })

  it('sets the budget at 8 MB for all of them together', () => {
    expect(PDF_STRUCTURE_LIMIT).toBe(8 * MB)
  })

  it('refuses the 100 MB object-stream bomb (about 100 KB of PDF) as too much content, in well under a second', async () => {
    const bomb = await pdfObjectStreamBomb()
    expect(bomb.byteLength).toBeLessThan(200 * 1024)
    const started = performance.now()
    expect(await prescanPdfStreams(bomb)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it('counts to the byte, compressed or not, whether the /Length is direct, indirect or the name is escaped', async () => {
    const zeros = await deflatedZeros(1000)
    expect(await prescanPdfStreams(pdfWithStream(`${objStm} /Filter /FlateDecode`, zeros), 1000)).toEqual({ ok: true, structureBytes: 1000 })
    expect(await prescanPdfStreams(pdfWithStream(`${objStm} /Filter /FlateDecode`, zeros), 999)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await prescanPdfStreams(pdfWithStream(`${objStm} /Filter [/FlateDecode]`, zeros, '/Length 9 0 R'), 999)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await prescanPdfStreams(pdfWithStream('/Type /Obj#53tm /N 1 /First 4 /Filter /Flate#44ecode', zeros), 999)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await prescanPdfStreams(pdfWithStream('/Type /XRef /Size 1 /W [1 1 1] /Filter /FlateDecode', zeros), 999)).toEqual({ ok: false, problem: 'too_much_content' })
    expect(await prescanPdfStreams(pdfWithStream(objStm, new Uint8Array(1000)), 999)).toEqual({ ok: false, problem: 'too_much_content' })
  })

  it('leaves other streams (page content, images) to the checks after loading: pdf-lib does not inflate them while parsing', async () => {
    const bytes = pdfWithStream('/Type /XObject /Subtype /Image /Width 1000 /Height 1000 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /FlateDecode', await deflatedZeros(10 * MB))
    expect(await prescanPdfStreams(bytes, 1000)).toEqual({ ok: true, structureBytes: 0 })
  })

  it('refuses an object stream under any filter but FlateDecode, or a chain of them, and one that is not zlib as damaged', async () => {
    expect(await prescanPdfStreams(pdfWithStream(`${objStm} /Filter /LZWDecode`, new Uint8Array([0x80, 0x0b, 0x60, 0x50])))).toEqual({ ok: false, problem: 'unsupported_filter', filter: 'LZWDecode' })
    expect(await prescanPdfStreams(pdfWithStream(`${objStm} /Filter [/FlateDecode /FlateDecode]`, flate('x')))).toEqual({ ok: false, problem: 'unsupported_filter', filter: 'FlateDecode, FlateDecode' })
    expect(await prescanPdfStreams(pdfWithStream(`${objStm} /Filter /FlateDecode`, new TextEncoder().encode('not zlib at all')))).toEqual({ ok: false, problem: 'damaged' })
  })

  it('reads a hostile 5 MB file in linear time: many `stream` keywords after one dictionary, or comments made to backtrack', async () => {
    const latin1 = (text: string) => new TextEncoder().encode(text) // ASCII only here
    const keywords = latin1(`%PDF-1.7\n<< /A 1 >> x${' stream'.repeat(700_000)}`)
    const comments = latin1(`%PDF-1.7\n<< /Type /ObjStm >>\n${'%'.repeat(40)}\nX stream\n`)
    const started = performance.now()
    expect(await prescanPdfStreams(keywords)).toEqual({ ok: true, structureBytes: 0 })
    expect(await prescanPdfStreams(comments)).toEqual({ ok: true, structureBytes: 0 })
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
