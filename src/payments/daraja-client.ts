/**
 * The Daraja (M-Pesa) client: fetch only, so Deno and Workers run it. One client per credential set.
 * The OAuth token is cached until a minute before it expires and never fetched twice at once (a new
 * token can invalidate the previous one); STK Push and STK Query build the password and the East
 * Africa Time timestamp as Daraja requires; Reversal and B2C need the initiator credentials; Daraja's error
 * bodies become typed errors.
 */
import { webFetch, type FetchFn } from '../lib/fetch.ts'
import { DarajaAuthError, fetchDarajaToken } from './daraja-oauth.ts'

export interface DarajaCredentials {
  consumerKey: string
  consumerSecret: string
  shortcode: string
  passkey: string
  accountType: 'paybill' | 'till'
  /** The B2C (bulk disbursement) shortcode B2C payments are sent from. */
  b2cShortcode?: string
  /** The API operator's user name, needed for Reversal (and B2C, Transaction Status). */
  initiatorName?: string
  /** The initiator's password encrypted with Safaricom's public certificate. */
  securityCredential?: string
}

/** A Daraja error answer ({requestId, errorCode, errorMessage}) or an unexpected one. */
export class DarajaError extends Error {
  constructor(readonly httpStatus: number, readonly errorCode: string, message: string) {
    super(message)
    this.name = 'DarajaError'
  }
}

export interface StkPushRequest {
  amountMinor: number
  /** 2547XXXXXXXX or 2541XXXXXXXX */
  phone: string
  callbackUrl: string
  accountReference: string
  description: string
}

export interface StkPushAccepted {
  merchantRequestId: string
  checkoutRequestId: string
  customerMessage: string
}

/** Reverses one M-Pesa payment; the outcome is POSTed later to resultUrl (or timeoutUrl). */
export interface ReversalRequest {
  /** The M-Pesa receipt (TransactionID) of the payment to reverse. */
  receipt: string
  amountMinor: number
  resultUrl: string
  timeoutUrl: string
  /** 2 to 100 characters (longer text is cut). */
  remarks: string
  occasion?: string
}

export interface ReversalAccepted {
  conversationId: string
  originatorConversationId: string
}

/** Sends money from the organiser's shortcode to a phone (B2C); the outcome is POSTed later to resultUrl (or timeoutUrl). */
export interface B2cRequest {
  /** Ours, and Daraja's idempotency key: the same id sent again is refused as a duplicate, never paid twice. */
  originatorConversationId: string
  amountMinor: number
  /** 2547XXXXXXXX or 2541XXXXXXXX */
  phone: string
  resultUrl: string
  timeoutUrl: string
  /** 2 to 100 characters (longer text is cut). */
  remarks: string
  occasion?: string
}

export interface B2cAccepted {
  conversationId: string
  originatorConversationId: string
}

/** B2C's limits per payment, in shillings (specs/daraja.md: 10 … 250,000, UNCONFIRMED). */
export const B2C_MIN_SHILLINGS = 10
export const B2C_MAX_SHILLINGS = 250_000

export type StkQueryResult =
  | { state: 'pending' }
  | { state: 'done'; resultCode: number; resultDesc: string }

const REFRESH_EARLY_MS = 60_000
const EAT_OFFSET_MS = 3 * 3600 * 1000

/** YYYYMMDDHHmmss in East Africa Time, the timestamp every Daraja sample uses. */
export function darajaTimestamp(now: Date): string {
  return new Date(now.getTime() + EAT_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

export function darajaPassword(shortcode: string, passkey: string, timestamp: string): string {
  return btoa(`${shortcode}${passkey}${timestamp}`)
}

/** Whole shillings; Daraja takes no cents. */
export function wholeShillings(amountMinor: number): number {
  if (!Number.isInteger(amountMinor) || amountMinor % 100 !== 0) throw new RangeError('M-Pesa takes whole shillings only')
  const shillings = amountMinor / 100
  if (shillings < 1 || shillings > 250_000) throw new RangeError('M-Pesa takes 1 to 250,000 shillings')
  return shillings
}

export interface DarajaClientOptions {
  baseUrl: string
  credentials: DarajaCredentials
  fetch?: FetchFn
  now?: () => Date
}

export function createDarajaClient(options: DarajaClientOptions) {
  const fetchFn: FetchFn = options.fetch ?? webFetch
  const now = options.now ?? (() => new Date())
  const { credentials } = options
  let cached: { token: string; refreshAt: number } | undefined
  let inFlight: Promise<string> | undefined

  async function token(): Promise<string> {
    if (cached && now().getTime() < cached.refreshAt) return cached.token
    inFlight ??= fetchDarajaToken(options.baseUrl, credentials, fetchFn).then((fresh) => {
      cached = { token: fresh.accessToken, refreshAt: now().getTime() + fresh.expiresInSeconds * 1000 - REFRESH_EARLY_MS }
      return fresh.accessToken
    }).finally(() => {
      inFlight = undefined
    })
    return inFlight
  }

  async function call(path: string, body: Record<string, unknown>, retried = false): Promise<Record<string, unknown>> {
    let res: Response
    try {
      res = await fetchFn(`${options.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
        redirect: 'manual',
      })
    } catch (error) {
      if (error instanceof DarajaAuthError) throw error
      throw new DarajaError(0, 'unreachable', 'Daraja could not be reached')
    }
    const answer = await res.json().catch(() => ({})) as Record<string, unknown>
    if (res.ok) return answer
    const errorCode = typeof answer.errorCode === 'string' ? answer.errorCode : `http_${res.status}`
    // an invalid token (another token was issued meanwhile): one fresh token, one retry
    if (errorCode === '404.001.03' && !retried) {
      cached = undefined
      return call(path, body, true)
    }
    throw new DarajaError(res.status, errorCode, typeof answer.errorMessage === 'string' ? answer.errorMessage : 'Daraja refused the request')
  }

  return {
    /** Sends the PIN prompt to the buyer's phone. */
    async stkPush(request: StkPushRequest): Promise<StkPushAccepted> {
      const timestamp = darajaTimestamp(now())
      const answer = await call('/mpesa/stkpush/v1/processrequest', {
        BusinessShortCode: credentials.shortcode,
        Password: darajaPassword(credentials.shortcode, credentials.passkey, timestamp),
        Timestamp: timestamp,
        TransactionType: credentials.accountType === 'till' ? 'CustomerBuyGoodsOnline' : 'CustomerPayBillOnline',
        Amount: wholeShillings(request.amountMinor),
        PartyA: request.phone,
        PartyB: credentials.shortcode,
        PhoneNumber: request.phone,
        CallBackURL: request.callbackUrl,
        AccountReference: request.accountReference.slice(0, 12),
        TransactionDesc: request.description.slice(0, 13),
      })
      if (String(answer.ResponseCode) !== '0' || typeof answer.CheckoutRequestID !== 'string') {
        throw new DarajaError(200, String(answer.ResponseCode ?? 'unknown'), String(answer.ResponseDescription ?? 'STK Push not accepted'))
      }
      return {
        merchantRequestId: String(answer.MerchantRequestID ?? ''),
        checkoutRequestId: answer.CheckoutRequestID,
        customerMessage: String(answer.CustomerMessage ?? ''),
      }
    },

    /** Asks how a push ended. "The transaction is being processed" means the buyer has not answered yet. */
    async stkQuery(checkoutRequestId: string): Promise<StkQueryResult> {
      const timestamp = darajaTimestamp(now())
      try {
        const answer = await call('/mpesa/stkpushquery/v1/query', {
          BusinessShortCode: credentials.shortcode,
          Password: darajaPassword(credentials.shortcode, credentials.passkey, timestamp),
          Timestamp: timestamp,
          CheckoutRequestID: checkoutRequestId,
        })
        // here ResultCode is a string; anything but digits is not an answer (and must never read as 0, paid)
        const resultCode = typeof answer.ResultCode === 'number' ? String(answer.ResultCode) : answer.ResultCode
        if (typeof resultCode !== 'string' || !/^\d{1,6}$/.test(resultCode)) {
          throw new DarajaError(200, 'invalid_answer', 'STK Query answered without a result code')
        }
        return { state: 'done', resultCode: Number(resultCode), resultDesc: String(answer.ResultDesc ?? '') }
      } catch (error) {
        if (error instanceof DarajaError && error.errorCode === '500.001.1001' && /being processed/i.test(error.message)) {
          return { state: 'pending' }
        }
        throw error
      }
    },

    /**
     * Asks Daraja to reverse a payment. Needs the initiator name and security credential: without them
     * it throws a DarajaError with errorCode 'no_initiator' before calling anything.
     */
    async reversal(request: ReversalRequest): Promise<ReversalAccepted> {
      const { initiatorName, securityCredential } = credentials
      if (!initiatorName || !securityCredential) {
        throw new DarajaError(0, 'no_initiator', 'Reversals need the M-Pesa initiator name and security credential')
      }
      const remarks = request.remarks.trim().slice(0, 100)
      if (remarks.length < 2) throw new RangeError('M-Pesa reversal remarks take 2 to 100 characters')
      const answer = await call('/mpesa/reversal/v1/request', {
        Initiator: initiatorName,
        SecurityCredential: securityCredential,
        CommandID: 'TransactionReversal',
        TransactionID: request.receipt,
        Amount: wholeShillings(request.amountMinor),
        ReceiverParty: credentials.shortcode,
        RecieverIdentifierType: '11', // (sic) Daraja's spelling
        ResultURL: request.resultUrl,
        QueueTimeOutURL: request.timeoutUrl,
        Remarks: remarks,
        Occasion: request.occasion ?? '',
      })
      if (String(answer.ResponseCode) !== '0' || typeof answer.ConversationID !== 'string') {
        throw new DarajaError(200, String(answer.ResponseCode ?? 'unknown'), String(answer.ResponseDescription ?? 'Reversal not accepted'))
      }
      return {
        conversationId: answer.ConversationID,
        originatorConversationId: String(answer.OriginatorConversationID ?? ''),
      }
    },

    /**
     * Pays a phone from the shortcode (B2C, CommandID BusinessPayment). Needs the initiator name and
     * security credential: without them it throws a DarajaError with errorCode 'no_initiator' before
     * calling anything.
     */
    async b2cPayment(request: B2cRequest): Promise<B2cAccepted> {
      const { initiatorName, securityCredential } = credentials
      if (!initiatorName || !securityCredential) {
        throw new DarajaError(0, 'no_initiator', 'B2C payments need the M-Pesa initiator name and security credential')
      }
      const partyA = credentials.b2cShortcode
      if (!partyA) throw new DarajaError(0, 'no_b2c_shortcode', 'B2C payments need a B2C shortcode, not the paybill')
      const remarks = request.remarks.trim().slice(0, 100)
      if (remarks.length < 2) throw new RangeError('M-Pesa B2C remarks take 2 to 100 characters')
      const amount = wholeShillings(request.amountMinor)
      if (amount < B2C_MIN_SHILLINGS || amount > B2C_MAX_SHILLINGS) throw new RangeError('M-Pesa B2C takes 10 to 250,000 shillings')
      const answer = await call('/mpesa/b2c/v3/paymentrequest', {
        OriginatorConversationID: request.originatorConversationId,
        InitiatorName: initiatorName,
        SecurityCredential: securityCredential,
        CommandID: 'BusinessPayment',
        Amount: amount,
        PartyA: partyA,
        PartyB: request.phone,
        Remarks: remarks,
        QueueTimeOutURL: request.timeoutUrl,
        ResultURL: request.resultUrl,
        Occassion: (request.occasion ?? '').slice(0, 100), // (sic) Daraja's spelling
      })
      if (String(answer.ResponseCode) !== '0' || typeof answer.ConversationID !== 'string') {
        throw new DarajaError(200, String(answer.ResponseCode ?? 'unknown'), String(answer.ResponseDescription ?? 'B2C payment not accepted'))
      }
      return {
        conversationId: answer.ConversationID,
        originatorConversationId: String(answer.OriginatorConversationID ?? request.originatorConversationId),
      }
    },
  }
}

export type DarajaClient = ReturnType<typeof createDarajaClient>
