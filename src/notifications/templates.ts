/**
 * Message templates: `{{placeholder}}` text per type and language. The platform's defaults are the
 * catalog's (notify.<type>.subject/body); a tenant may store its own (notification_templates). Values
 * are filled at send time, so a secret link never sits in a template and an edit applies to messages
 * still waiting. In HTML email every value and every bit of template text is escaped.
 */
import type { NotificationType } from '../db/schema.ts'
import { translator, type Lang, type MessageKey } from '../i18n/index.ts'

/** What each type may say, beside the editor. Unknown placeholders are refused at save. */
export const PLACEHOLDERS: Record<NotificationType, readonly string[]> = {
  ticket_delivery: ['buyerName', 'eventTitle', 'eventStart', 'venue', 'amount', 'ticketCount', 'ticketsLink'],
  payment_failed: ['buyerName', 'eventTitle', 'eventStart', 'venue', 'amount', 'retryLink'],
  event_reminder: ['buyerName', 'eventTitle', 'eventStart', 'venue', 'ticketsLink'],
  event_cancelled: ['buyerName', 'eventTitle', 'eventStart', 'venue', 'amount'],
  event_postponed: ['buyerName', 'eventTitle', 'eventStart', 'venue', 'ticketsLink'],
  refund_issued: ['buyerName', 'eventTitle', 'amount'],
  refund_completed: ['buyerName', 'eventTitle', 'amount'],
  refund_failed: ['buyerName', 'eventTitle', 'amount'],
  transfer_confirmation: ['buyerName', 'eventTitle', 'ticketsLink'],
  transfer_otp: ['code'],
  transfer_received: ['buyerName', 'eventTitle', 'eventStart', 'venue', 'ticketsLink'],
  resale_sold: ['buyerName', 'eventTitle', 'amount', 'payout', 'ticketsLink'],
  payout_sent: ['buyerName', 'eventTitle', 'amount', 'receipt'],
  payout_manual: ['buyerName', 'eventTitle', 'amount'],
  waiting_list_offer: ['eventTitle', 'ticketType', 'offerUntil', 'offerLink'],
  password_reset: ['resetLink'],
  email_verification: ['verifyLink'],
  verification_code: ['code'],
  staff_invitation: ['organiser', 'role', 'inviteLink'],
}

/** The types a manager words for their buyers (account messages stay the platform's). */
export const TENANT_TYPES = ['ticket_delivery', 'payment_failed', 'event_reminder', 'event_cancelled', 'event_postponed',
  'refund_issued', 'refund_completed', 'refund_failed', 'transfer_received', 'resale_sold', 'payout_sent', 'payout_manual',
  'waiting_list_offer'] as const satisfies readonly NotificationType[]

export interface Template {
  subject: string
  body: string
}

export function isKnownType(type: string): type is NotificationType {
  return Object.hasOwn(PLACEHOLDERS, type)
}

/** The catalog's wording; a type the catalog does not know yet has none. */
export function defaultTemplate(type: string, lang: Lang): Template | undefined {
  if (!isKnownType(type)) return undefined
  const t = translator(lang)
  return { subject: t(`notify.${type}.subject` as MessageKey), body: t(`notify.${type}.body` as MessageKey) }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g

/** The placeholders a text uses that its type does not know (empty: fine). Stray braces count too. */
export function unknownPlaceholders(type: NotificationType, text: string): string[] {
  const allowed = new Set(PLACEHOLDERS[type])
  const unknown = new Set<string>()
  for (const match of text.matchAll(PLACEHOLDER)) if (!allowed.has(match[1]!)) unknown.add(match[1]!)
  const leftover = text.replace(PLACEHOLDER, '')
  if (/\{\{|\}\}/.test(leftover)) unknown.add(leftover.match(/\{\{[^}]*\}?\}?|\}\}/)![0]!)
  return [...unknown]
}

/**
 * Link placeholders that do not stand on their own. A link's value is a secret URL of ours (a guest's
 * ticket link signs them in); glued behind other text (`https://other.example/?u={{ticketsLink}}`) it
 * would become part of another site's address, and the buyer's click would hand the secret over. A
 * link must start the text or follow a space or an opening bracket.
 */
export function gluedLinks(text: string): string[] {
  const glued = new Set<string>()
  for (const match of text.matchAll(PLACEHOLDER)) {
    const before = match.index === 0 ? '' : text[match.index! - 1]!
    if (match[1]!.endsWith('Link') && before !== '' && !/[\s(]/.test(before)) glued.add(`{{${match[1]}}}`)
  }
  return [...glued]
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')
}

export type Values = Record<string, string | number | undefined>

/** Plain text (WhatsApp, the email's text part, the subject): values as they are; a missing one is empty. */
export function fillText(template: string, values: Values): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => String(values[name] ?? ''))
}

/** The email's HTML part: escaped template text and values, links as anchors, line breaks kept. */
export function fillHtml(template: string, values: Values): string {
  let html = ''
  let last = 0
  for (const match of template.matchAll(PLACEHOLDER)) {
    html += escapeHtml(template.slice(last, match.index))
    const name = match[1]!
    const value = String(values[name] ?? '')
    html += name.endsWith('Link') && /^https?:\/\//.test(value)
      ? `<a href="${escapeHtml(value)}">${escapeHtml(value)}</a>`
      : escapeHtml(value)
    last = match.index! + match[0].length
  }
  html += escapeHtml(template.slice(last))
  const paragraphs = html.split(/\n{2,}/).map((part) => `<p>${part.replace(/\n/g, '<br>')}</p>`).join('\n')
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${paragraphs}</body></html>`
}

/** Sample values for a preview. */
export function sampleValues(lang: Lang, origin: string): Values {
  const t = translator(lang)
  return {
    buyerName: t('notify.sample.buyerName'), eventTitle: t('notify.sample.eventTitle'), venue: t('notify.sample.venue'),
    eventStart: lang === 'sw' ? 'Jumamosi 12 Des 2026, 19:00' : 'Sat 12 Dec 2026, 19:00', amount: 'KES 3,000', payout: 'KES 2,700', ticketCount: 2,
    ticketsLink: `${origin}/tickets`, retryLink: `${origin}/reservations/sample/resume`, code: '482913', receipt: 'TLK4AB12CD',
    resetLink: `${origin}/password/reset`, verifyLink: `${origin}/account/verify-email`, inviteLink: `${origin}/invitations/accept`,
    organiser: 'Sauti Events', role: lang === 'sw' ? 'meneja' : 'manager',
    ticketType: 'VIP', offerUntil: lang === 'sw' ? 'Jumamosi 12 Des 2026, 18:30' : 'Sat 12 Dec 2026, 18:30', offerLink: `${origin}/waiting-list/sample`,
  }
}
