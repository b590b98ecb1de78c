/** A payout's state in words: the seller's (for the wallet), and the organiser's. */
import type { PayoutStatus } from '../db/schema.ts'
import { translator, type Lang, type MessageKey } from '../i18n/index.ts'

/** The catalog key of a payout state as the seller reads it (payouts.state.due|requested|completed|manual). */
export function payoutStateKey(status: PayoutStatus): MessageKey {
  return `payouts.state.${status}` as MessageKey
}

/** "Paid to your M-Pesa", "Delayed: the organiser will pay you directly" … in the seller's language. */
export function payoutStateWords(status: PayoutStatus, lang: Lang): string {
  return translator(lang)(payoutStateKey(status))
}

/** A payout's state as the organiser reads it: a refused one being retried is not "to send". */
export function payoutStatusKey(payout: { status: PayoutStatus; result_code: string | null }): MessageKey {
  // a timeout or a lost answer is no refusal: it is simply sent again (the result column says why)
  if (payout.status === 'due' && payout.result_code && !['timeout', 'no_answer'].includes(payout.result_code)) return 'payouts.status.retrying'
  return `payouts.status.${payout.status}` as MessageKey
}
