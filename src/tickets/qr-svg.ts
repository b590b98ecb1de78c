/**
 * A ticket's QR as inline SVG: one path of dark modules, crisp at any size, a few hundred bytes
 * gzipped. Encoding comes from qrcode's core (pure JS); the drawing is ours, so no canvas or Node API
 * is needed on Deno or Workers. Error correction M: the version 7 the signed code was sized for.
 */
import * as qrcodeCore from 'qrcode/lib/core/qrcode.js'

/** The encoder's shape as we use it (its JSDoc types are looser than what it returns). */
type Encode = (text: string, options: { errorCorrectionLevel: 'M' }) => {
  version: number
  modules: { size: number; get(row: number, col: number): number }
}
const create = (qrcodeCore as unknown as { create: Encode }).create

const QUIET_ZONE = 4

export function qrModules(text: string): { size: number; dark: (x: number, y: number) => boolean; version: number } {
  const qr = create(text, { errorCorrectionLevel: 'M' })
  const size = qr.modules.size
  return { size, version: qr.version, dark: (x, y) => qr.modules.get(y, x) === 1 }
}

export function qrSvg(text: string, label: string): string {
  const { size, dark } = qrModules(text)
  let path = ''
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!dark(x, y)) continue
      let run = 1
      while (x + run < size && dark(x + run, y)) run++
      path += `M${x + QUIET_ZONE} ${y + QUIET_ZONE}h${run}v1h-${run}z`
      x += run - 1
    }
  }
  const full = size + QUIET_ZONE * 2
  const escaped = label.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`)
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges" role="img" aria-label="${escaped}">` +
    `<rect width="${full}" height="${full}" fill="#fff"/><path d="${path}" fill="#000"/></svg>`
}
