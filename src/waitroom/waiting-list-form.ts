/** The waiting list's sign-up form: a ticket type and an email or a Kenyan phone. */
import { z } from 'zod'
import { normalizeKenyanPhone } from '../lib/phone.ts'

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/

export const waitingListForm = z.object({
  ticketTypeId: z.uuid({ message: 'waitlist.badType' }),
  contact: z.string().trim().transform((value, ctx) => {
    if (EMAIL.test(value) && value.length <= 254) return { email: value.toLowerCase(), phone: null }
    const phone = normalizeKenyanPhone(value)
    if (phone) return { email: null, phone }
    ctx.addIssue({ code: 'custom', message: 'waitlist.badContact' })
    return { email: null, phone: null }
  }),
})
