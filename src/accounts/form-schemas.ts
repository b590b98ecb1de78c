/** Form fields of the account pages. Messages are catalog keys (see src/http/forms.ts). */
import { z } from 'zod'
import { normalizeKenyanPhone } from '../lib/phone.ts'

export const emailField = z.string().trim().min(1, 'form.required').max(254, 'form.tooLong')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'form.email')
export const passwordField = z.string().min(1, 'form.required').min(10, 'form.passwordLength').max(200, 'form.passwordLength')
export const nameField = z.string().trim().min(1, 'form.required').max(120, 'form.tooLong')
export const phoneField = z.string().trim().min(1, 'form.required').max(20, 'form.phone')
  .transform((value, ctx) => {
    const phone = normalizeKenyanPhone(value)
    if (!phone) ctx.addIssue({ code: 'custom', message: 'form.phone' })
    return phone ?? ''
  })
const optionalPhoneField = z.string().trim().max(20, 'form.phone').optional()
  .transform((value, ctx) => {
    if (!value) return null
    const phone = normalizeKenyanPhone(value)
    if (!phone) ctx.addIssue({ code: 'custom', message: 'form.phone' })
    return phone
  })

export const loginForm = z.object({ email: emailField, password: z.string().min(1, 'form.required').max(200, 'form.tooLong'), next: z.string().optional() })
export const registerForm = z.object({ name: nameField, email: emailField, password: passwordField, phone: optionalPhoneField, next: z.string().optional() })
export const forgotForm = z.object({ email: emailField })
export const resetForm = z.object({ token: z.string().min(1, 'auth.reset.invalid').max(200, 'auth.reset.invalid'), password: passwordField })
export const confirmForm = z.object({ password: z.string().min(1, 'form.required').max(200, 'form.tooLong'), next: z.string().optional() })
export const phoneForm = z.object({ phone: phoneField })
export const phoneCodeForm = z.object({ code: z.string().trim().regex(/^\d{6}$/, 'form.code') })
/**
 * Text that reads as a web address once email clients and browsers are done with it: a scheme (`://`),
 * `www.`, a host name (a letter or digit, a dot, then two or more letters ending the word, as in
 * `evil.example/pin`, `mpesa-help.co.ke` or `help@care.ke`) or an IPv4 address. Checked after NFKC
 * (fullwidth dots and letters become plain), with invisible format characters (zero-width space) dropped
 * and ideographic full stops read as dots, as browsers do in host names. The price: `Co.Ltd` must be
 * written `Co. Ltd`.
 */
export function looksLikeLink(text: string): boolean {
  const plain = text.normalize('NFKC').replace(/\p{Cf}/gu, '').replace(/[\u3002\uff61]/g, '.').toLowerCase()
  return plain.includes('://') || plain.includes('www.') || /[\p{L}\p{N}]\.\p{L}{2,}(?![\p{L}\p{N}])/u.test(plain)
    || /(?<!\d)\d{1,3}(\.\d{1,3}){3}(?!\d)/.test(plain)
}

/** An organiser's name goes into the subject and body of its staff invitations: no links in it. */
export const organiserNameField = nameField.refine((name) => !looksLikeLink(name), 'form.organiserNameLink')

export const applyForm = z.object({ name: organiserNameField, contactPhone: phoneField })
export const inviteForm = z.object({ email: emailField, role: z.enum(['manager', 'scanner'], { message: 'form.role' }) })
export const assignForm = z.object({
  eventIds: z.union([z.string(), z.array(z.string())]).optional()
    .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]).filter((id) => id !== ''))
    .pipe(z.array(z.uuid('form.invalid')).max(200, 'form.tooLong')),
})
/** Percent with up to two decimals, stored as basis points. */
export const commissionForm = z.object({
  percent: z.string().trim().regex(/^\d{1,3}(\.\d{1,2})?$/, 'form.percent')
    .transform((value) => Math.round(Number(value) * 100))
    .refine((bps) => bps >= 0 && bps <= 10_000, 'form.percent'),
})
