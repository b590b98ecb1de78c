/** The Daraja simulator's options, its state (what tests assert on) and its handle. */
import type { Hono } from 'hono'
import type { StkPushFields } from './validation.ts'

export interface DarajaSimulatorOptions {
  /** The simulator's clock: token expiry and transaction dates. Default: the real time. */
  now?: () => Date
  /** Registered shortcodes and their passkeys. Default: the sandbox's 174379. */
  shortcodes?: Record<string, string>
  /** B2C (bulk disbursement) shortcodes that may pay out. Default: the sandbox's 600000. */
  b2cShortcodes?: string[]
  /** Names shown on the simulated phone ("Pay KES 1 to <name>"); the shortcode otherwise. */
  businessNames?: Record<string, string>
  /** Only these consumer key → secret pairs get tokens. Default: any non-empty pair, as many sandbox apps exist. */
  consumers?: Record<string, string>
  /** How long test numbers take to answer, and reversals to report. Default 1500 ms; tests pass 0. */
  callbackDelayMs?: number
  /** Token lifetime in seconds. Default 3599. */
  tokenLifetimeSeconds?: number
  /** Delivers a callback or result. Default: a JSON POST with the global fetch; a throw counts as failed. */
  deliver?: (url: string, body: unknown) => Promise<void>
}

export interface StkResult {
  resultCode: number
  resultDesc: string
  /** Set on success. */
  receipt?: string
  /** YYYYMMDDHHmmss in East Africa Time, as a number; set on success. */
  transactionDate?: number
  answeredAt: Date
}

/** One STK Push the simulator accepted. */
export interface SimulatedPrompt extends StkPushFields {
  checkoutRequestId: string
  merchantRequestId: string
  createdAt: Date
  status: 'pending' | 'done'
  result?: StkResult
  /** The ConversationID of the first accepted reversal of this payment. */
  reversedBy?: string
  /** Shillings reversed so far (a reversal may take part of a payment, never more than is left). */
  reversedAmount?: number
}

/** One callback (STK) or result (Reversal, B2C) or queue timeout (B2C) POST, after it finished. */
export interface DeliveredCallback {
  kind: 'stk' | 'reversal' | 'b2c' | 'b2c_timeout'
  url: string
  body: unknown
  ok: boolean
  error?: string
  at: Date
}

export interface SimulatedReversal {
  originatorConversationId: string
  conversationId: string
  initiator: string
  receipt: string
  amount: number
  resultUrl: string
  queueTimeoutUrl: string
  remarks: string
  /** 0; "R000002" when the receipt was already reversed (wholly, or past the amount asked); "R000001" when refused. */
  resultCode: number | string
  resultDesc: string
  /** The reversal's own transaction id. */
  transactionId: string
}

/** One B2C payment request the simulator accepted. */
export interface SimulatedB2cPayment {
  originatorConversationId: string
  conversationId: string
  initiator: string
  commandId: string
  /** Whole shillings. */
  amount: number
  partyA: string
  /** The phone paid, 2547… */
  partyB: string
  remarks: string
  resultUrl: string
  queueTimeoutUrl: string
  /** pending until its result is posted; timed_out when it sat in the queue and was never processed. */
  status: 'pending' | 'paid' | 'failed' | 'timed_out'
  resultCode?: number
  /** The M-Pesa receipt of a paid one. */
  receipt?: string
}

export interface DarajaSimulatorState {
  /** Registered shortcode → passkey; add to it at any time. */
  shortcodes: Record<string, string>
  /** B2C shortcodes: a B2C payment from any other, a paybill included, is refused as an unknown merchant. */
  b2cShortcodes: Set<string>
  tokensIssued: number
  prompts: SimulatedPrompt[]
  callbacks: DeliveredCallback[]
  reversals: SimulatedReversal[]
  /** Receipts whose reversals M-Pesa refuses (result R000001), to rehearse refunds that must be made by hand. */
  refusedReversals: Set<string>
  /** B2C requests in the order they came, duplicates refused at once excluded. */
  b2cPayments: SimulatedB2cPayment[]
}

export interface DarajaSimulator {
  /** Daraja's endpoints and the simulated phone page (`/phone`). */
  app: Hono
  state: DarajaSimulatorState
  /** Resolves once every scheduled or ongoing callback and result delivery has finished. */
  settle(): Promise<void>
  /**
   * Answers a pending prompt as the buyer would (0 paid, 1032 cancelled, 2001 wrong PIN, …) and
   * delivers its callback. Resolves when the callback was delivered; throws if the prompt is unknown
   * or no longer pending.
   */
  answer(checkoutRequestId: string, resultCode: number): Promise<void>
}
