import { maskPhone } from '../lib/phone.ts'

/** A recipient as the sender may see it later: 0712 ••• 678, or j•••@example.com. */
export function maskContact(contact: string): string {
  if (/^254\d{9}$/.test(contact)) return maskPhone(contact)
  const at = contact.indexOf('@')
  return at > 0 ? `${contact[0]}•••${contact.slice(at)}` : '•••'
}
