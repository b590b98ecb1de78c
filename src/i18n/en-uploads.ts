/** English messages of uploads (posters and ticket templates) beyond those in en.ts and en-tickets.ts. */
export const enUploads = {
  'upload.tooManyPixels': 'That image is {width} × {height} pixels: the limit here is {side} pixels a side and {megapixels} megapixels in all. Make it smaller and upload it again.',
  'upload.pdfTooMuchContent': 'That PDF page unpacks to more than {mb} MB of drawing instructions, far more than a ticket background needs. Export the page again (flattened, or as a PNG or JPEG image) and upload the new file.',
  'upload.pdfFilter': 'That PDF page is compressed in a way we do not read ({filter}): only uncompressed or Flate (FlateDecode) page content is accepted. Export it again with standard settings, or upload a PNG or JPEG.',
  'upload.pdfDamaged': 'That PDF page could not be read: its content is damaged. Export it again and upload the new file.',
} as const
