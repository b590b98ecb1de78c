import type { enUploads } from './en-uploads.ts'

/** Swahili messages of uploads. The type makes a missing key a compile error. */
export const swUploads: Record<keyof typeof enUploads, string> = {
  'upload.tooManyPixels': 'Picha hiyo ina pikseli {width} × {height}: kikomo hapa ni pikseli {side} kila upande na megapikseli {megapixels} kwa jumla. Ipunguze kisha uipakie tena.',
  'upload.pdfTooMuchContent': 'Ukurasa huo wa PDF ukifunguliwa una zaidi ya MB {mb} za maagizo ya kuchora, mengi mno kwa mandharinyuma ya tiketi. Uhifadhi ukurasa upya (ukiwa bapa, au kama picha ya PNG au JPEG) kisha upakie faili jipya.',
  'upload.pdfFilter': 'Ukurasa huo wa PDF umebanwa kwa njia tusiyoisoma ({filter}): tunakubali maudhui ya ukurasa yasiyobanwa au yaliyobanwa kwa Flate (FlateDecode) tu. Uhifadhi upya kwa mipangilio ya kawaida, au upakie PNG au JPEG.',
  'upload.pdfDamaged': 'Ukurasa huo wa PDF haukuweza kusomwa: maudhui yake yameharibika. Uhifadhi upya kisha upakie faili jipya.',
}
