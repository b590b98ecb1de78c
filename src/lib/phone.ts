/**
 * Kenyan mobile numbers in any common form (07…, 01…, +254…, 254…, with spaces or dashes) to the
 * 2547XXXXXXXX / 2541XXXXXXXX form M-Pesa and WhatsApp use. Anything else is not a phone number.
 */
export function normalizeKenyanPhone(input: string): string | null {
  const digits = input.trim().replace(/[\s\-().]/g, '')
  const match = /^(?:\+?254|0)?([17]\d{8})$/.exec(digits)
  return match ? `254${match[1]}` : null
}

/** 254712345678 → "0712 ••• 678": enough to recognise, not enough to leak. */
export function maskPhone(phone: string): string {
  return `0${phone.slice(3, 6)} ••• ${phone.slice(-3)}`
}

/** 254712345678 → 0712345678, the form people type (to fill a form back in). */
export function localPhone(phone: string | null): string | undefined {
  return phone && /^254[17]\d{8}$/.test(phone) ? `0${phone.slice(3)}` : undefined
}
