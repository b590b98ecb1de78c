import type { enUploads } from './en-uploads.ts'

/** Swahili messages of uploads. The type makes a missing key a compile error. */
export const swUploads: Record<keyof typeof enUploads, string> = {
  'upload.tooManyPixels': 'Picha hiyo ina pikseli {width} × {height}: kikomo hapa ni pikseli {side} kila upande na megapikseli {megapixels} kwa jumla. Ipunguze kisha uipakie tena.',
}
