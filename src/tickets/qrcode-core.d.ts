// Type of the part of the qrcode package we use (its core encoder, free of Node APIs).
declare module 'qrcode/lib/core/qrcode.js' {
  export function create(text: string, options: { errorCorrectionLevel: 'L' | 'M' | 'Q' | 'H' }): {
    version: number
    modules: { size: number; get(row: number, col: number): number }
  }
}
