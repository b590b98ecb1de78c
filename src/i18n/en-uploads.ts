/** English messages of uploads (posters and ticket templates) beyond those in en.ts and en-tickets.ts. */
export const enUploads = {
  'upload.tooManyPixels': 'That image is {width} × {height} pixels: the limit here is {side} pixels a side and {megapixels} megapixels in all. Make it smaller and upload it again.',
} as const
