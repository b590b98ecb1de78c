/** Amounts people type ("1500", "1,500", "1500.50") to integer minor units, and back. */

/** Minor units, or null when the text is not a non-negative amount with at most two decimals. */
export function parseMajorAmount(text: string): number | null {
  const clean = text.trim().replace(/,/g, '')
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(clean)) return null
  const [whole = '0', cents = ''] = clean.split('.')
  return Number(whole) * 100 + Number(cents.padEnd(2, '0'))
}

/** Minor units as the plain amount a form shows: 150000 → "1500", 150050 → "1500.50". */
export function minorToInput(minor: number): string {
  return minor % 100 === 0 ? String(minor / 100) : (minor / 100).toFixed(2)
}
