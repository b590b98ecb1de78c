/** The manager's waiting-room form. Messages are catalog keys (see src/http/forms.ts). */
import { z } from 'zod'

const checkbox = z.string().optional().transform((value) => value === 'on' || value === 'true')

/** A whole number in [min, max], or null when left empty. */
const optionalCount = (min: number, max: number, message: string) => z.string().optional().transform((value, ctx) => {
  const text = value?.trim() ?? ''
  if (text === '') return null
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    ctx.addIssue({ code: 'custom', message })
    return null
  }
  return Number(text)
})

export const waitingRoomForm = z.object({
  highDemand: checkbox,
  admissionPerMinute: optionalCount(1, 100_000, 'waitroom.manage.badRate'),
  autoQueueThreshold: optionalCount(10, 1_000_000, 'waitroom.manage.badThreshold'),
})

export type WaitingRoomInput = z.output<typeof waitingRoomForm>
