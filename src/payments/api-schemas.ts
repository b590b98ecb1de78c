/** The JSON shapes of the payments API: the payment request and the payment it answers with. */
import { z } from '@hono/zod-openapi'

export const paymentRequestSchema = z.object({
  phone: z.string().max(40).openapi({
    example: '0712345678', description: 'Any common Kenyan form of the number: 07…, 01…, +254…, 254….',
  }),
  email: z.string().max(254).optional().openapi({ example: 'amina@example.com', description: 'Where the tickets are emailed (optional).' }),
  channel: z.string().max(20).optional().openapi({
    enum: ['email', 'whatsapp', 'both'],
    description: 'How the buyer hears about this order. Default `both` with an email, else `whatsapp` (to the paying phone: the buyer’s opt-in).',
  }),
}).strict().openapi('PaymentRequest')

const money = z.object({ amountMinor: z.number().int(), currency: z.string().openapi({ example: 'KES' }) })

export const paymentSchema = z.object({
  id: z.uuid(), reservationId: z.uuid(),
  status: z.string().openapi({
    enum: ['pending', 'completed', 'failed', 'refund_due', 'refund_requested', 'refunded'],
    description: 'pending while the prompt is on the phone; refund_* when the money arrived after the tickets were gone.',
  }),
  amount: money,
  phone: z.string().nullable().openapi({ description: 'The prompted phone, masked.' }),
  resultCode: z.number().int().nullable().openapi({ description: 'M-Pesa’s result code once it ended.' }),
  reason: z.object({
    code: z.string().openapi({
      enum: ['cancelled', 'wrong_pin', 'insufficient_funds', 'unreachable', 'expired', 'busy', 'limit', 'no_answer', 'push_refused', 'refund', 'failed'],
    }),
    message: z.string(),
  }).optional().openapi({ description: 'When failed or refunded: a stable code and a message for the buyer, in their language.' }),
  createdAt: z.string().openapi({ format: 'date-time' }),
}).openapi('Payment')
