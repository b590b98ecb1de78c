/**
 * What the Daraja simulator answers with: the test phone numbers that force each outcome, Daraja's
 * result descriptions, and identifiers shaped like Daraja's (receipts, request and conversation ids).
 */

/** Test phone numbers: each one answers by itself with the outcome its name says. Any other number waits for a person. */
export const SIMULATOR_PHONES = {
  /** Pays; one success callback. */
  success: '254700000000',
  /** The buyer cancels: 1032. */
  cancelled: '254700001032',
  /** Wrong PIN: 2001. */
  wrongPin: '254700002001',
  /** Insufficient balance: 1. */
  insufficientFunds: '254700000001',
  /** The phone cannot be reached: 1037. */
  unreachable: '254700001037',
  /** Pays, but no callback ever arrives: only STK Query reveals the payment. */
  noCallback: '254700009999',
  /** Pays; the same success callback arrives three times. */
  duplicateCallbacks: '254700000002',
} as const

export type SimulatorOutcome = keyof typeof SIMULATOR_PHONES

/** How each test number ends: its ResultCode and how many times its callback is delivered. */
export const AUTOMATIC_OUTCOMES: Record<SimulatorOutcome, { resultCode: number; deliveries: number }> = {
  success: { resultCode: 0, deliveries: 1 },
  cancelled: { resultCode: 1032, deliveries: 1 },
  wrongPin: { resultCode: 2001, deliveries: 1 },
  insufficientFunds: { resultCode: 1, deliveries: 1 },
  unreachable: { resultCode: 1037, deliveries: 1 },
  noCallback: { resultCode: 0, deliveries: 0 },
  duplicateCallbacks: { resultCode: 0, deliveries: 3 },
}

/**
 * B2C test phones (payouts to sellers): each answers by itself; any other number is paid.
 */
export const B2C_PHONES = {
  /** Refused: 2040, the receiving customer type cannot be served. Retried, then paid by hand. */
  refused: '254700003001',
  /** The first request times out in Daraja's queue (never processed); the same request sent again is paid. */
  timeoutThenPaid: '254700003002',
  /** Times out in the queue, and the same request is paid all the same a moment later (a late result). */
  timeoutLateSuccess: '254700003003',
} as const

/** The B2C refusal the `refused` test phone gets. */
export const B2C_REFUSAL = {
  resultCode: 2040,
  resultDesc: 'Credit Party customer type (Unregistered or Registered Customer) can\'t be supported by the service.',
} as const

/** The PIN that approves a prompt on the simulated phone page; any other PIN is a wrong PIN (2001). */
export const DEMO_PIN = '1234'

/** The sandbox's own shortcode and passkey, registered unless `shortcodes` says otherwise. */
export const SANDBOX_SHORTCODES: Readonly<Record<string, string>> = {
  '174379': 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
}

/** The B2C (bulk disbursement) shortcode the simulator pays resale sellers from, as the sandbox's 600000. */
export const SANDBOX_B2C_SHORTCODE = '600000'

/** ResultDesc texts as Daraja sends them. */
export const RESULT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: 'The service request is processed successfully.',
  1: 'The balance is insufficient for the transaction.',
  1001: 'Unable to lock subscriber, a transaction is already in process for the current subscriber',
  1019: 'Transaction has expired',
  1032: 'Request cancelled by user',
  1037: 'DS timeout user cannot be reached',
  2001: 'The initiator information is invalid.',
}

export function resultDescription(resultCode: number): string {
  return RESULT_DESCRIPTIONS[resultCode] ?? 'The transaction could not be completed.'
}

const EAT_OFFSET_MS = 3 * 3600 * 1000
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/** YYYYMMDDHHmmss in East Africa Time. */
export function eatTimestamp(date: Date): string {
  return new Date(date.getTime() + EAT_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

function randomFrom(alphabet: string, length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('')
}

export const randomDigits = (length: number) => randomFrom('0123456789', length)
export const randomHex = (length: number) => randomFrom('0123456789abcdef', length)

/** Makes identifiers that never repeat within one simulator. */
export function createIdSource(now: () => Date) {
  const used = new Set<string>()
  let sequence = 0
  function unique(make: () => string): string {
    for (;;) {
      const id = make()
      if (!used.has(id)) {
        used.add(id)
        return id
      }
    }
  }
  return {
    /** 10 uppercase letters and digits, starting with a letter, as M-Pesa receipts do. */
    receipt: () => unique(() => randomFrom(ALPHANUMERIC.slice(0, 26), 1) + randomFrom(ALPHANUMERIC, 9)),
    merchantRequestId: () => unique(() => `${randomDigits(5)}-${randomDigits(8)}-${++sequence}`),
    /** ws_CO_ + DDMMYYYYHHmmss + digits, like the live ones. */
    checkoutRequestId: () => unique(() => {
      const t = eatTimestamp(now())
      return `ws_CO_${t.slice(6, 8)}${t.slice(4, 6)}${t.slice(0, 4)}${t.slice(8)}${randomDigits(10)}`
    }),
    originatorConversationId: () => unique(() => `${randomHex(4)}-${randomHex(4)}-${randomHex(4)}-${randomHex(12)}${randomDigits(6)}`),
    conversationId: () => unique(() => `AG_${eatTimestamp(now()).slice(0, 8)}_${randomHex(20)}`),
    requestId: () => `${randomHex(4)}-${randomHex(4)}-${randomHex(4)}-${randomHex(12)}${randomDigits(7)}`,
    /** A Daraja bearer token: 28 letters and digits. */
    token: () => unique(() => randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 28)),
  }
}

export type IdSource = ReturnType<typeof createIdSource>
