/**
 * Daraja's request checks, as the simulator applies them: each failure is a `DarajaFault` that the
 * simulator answers in Daraja's error shape ({requestId, errorCode, errorMessage}).
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** A Daraja error answer: HTTP status, errorCode and errorMessage. */
export class DarajaFault extends Error {
  constructor(readonly status: ContentfulStatusCode, readonly errorCode: string, readonly errorMessage: string) {
    super(errorMessage)
    this.name = 'DarajaFault'
  }
}

export const invalid = (field: string) => new DarajaFault(400, '400.002.02', `Bad Request - Invalid ${field}`)

export type JsonBody = Record<string, unknown>

const PHONE = /^254[17]\d{8}$/

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** Whole shillings as a number or a string of digits (Daraja takes both). */
function wholeAmount(value: unknown): number | undefined {
  const amount = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  return typeof amount === 'number' && Number.isInteger(amount) ? amount : undefined
}

export function base64Password(shortcode: string, passkey: string, timestamp: string): string {
  return btoa(`${shortcode}${passkey}${timestamp}`)
}

/**
 * BusinessShortCode, Timestamp and Password, shared by STK Push and STK Query. Answers the shortcode.
 * An unregistered shortcode is Daraja's 500.001.1001 "Merchant does not exist".
 */
export function checkMerchant(body: JsonBody, shortcodes: Record<string, string>): string {
  const shortcode = text(body.BusinessShortCode)
  if (!shortcode || !/^\d{5,7}$/.test(shortcode)) throw invalid('BusinessShortCode')
  const passkey = Object.hasOwn(shortcodes, shortcode) ? shortcodes[shortcode] : undefined
  if (passkey === undefined) throw new DarajaFault(500, '500.001.1001', 'Merchant does not exist')
  const timestamp = text(body.Timestamp)
  if (!timestamp || !/^\d{14}$/.test(timestamp)) throw invalid('Timestamp')
  if (body.Password !== base64Password(shortcode, passkey, timestamp)) throw invalid('Password')
  return shortcode
}

export interface StkPushFields {
  shortcode: string
  transactionType: 'CustomerPayBillOnline' | 'CustomerBuyGoodsOnline'
  amount: number
  phone: string
  partyB: string
  callbackUrl: string
  accountReference: string
  transactionDesc: string
}

/** Every STK Push field, in the order Daraja reports them. */
export function checkStkPush(body: JsonBody, shortcodes: Record<string, string>): StkPushFields {
  const shortcode = checkMerchant(body, shortcodes)
  const transactionType = body.TransactionType
  if (transactionType !== 'CustomerPayBillOnline' && transactionType !== 'CustomerBuyGoodsOnline') throw invalid('TransactionType')
  const amount = wholeAmount(body.Amount)
  if (amount === undefined || amount < 1 || amount > 250_000) throw invalid('Amount')
  const phone = text(body.PhoneNumber)
  if (!phone || !PHONE.test(phone)) throw invalid('PhoneNumber')
  if (text(body.PartyA) !== phone) throw invalid('PartyA')
  const partyB = text(body.PartyB)
  if (!partyB || !/^\d{5,7}$/.test(partyB)) throw invalid('PartyB')
  if (!isHttpUrl(body.CallBackURL)) throw invalid('CallBackURL')
  const accountReference = body.AccountReference
  if (typeof accountReference !== 'string' || accountReference.length > 12) throw invalid('AccountReference')
  const transactionDesc = body.TransactionDesc
  if (typeof transactionDesc !== 'string' || transactionDesc.length > 13) throw invalid('TransactionDesc')
  return { shortcode, transactionType, amount, phone, partyB, callbackUrl: body.CallBackURL, accountReference, transactionDesc }
}

export interface ReversalFields {
  initiator: string
  receipt: string
  amount: number
  receiverParty: string
  resultUrl: string
  queueTimeoutUrl: string
  remarks: string
}

/**
 * Every Reversal field. `payment` finds the amount and shortcode of a receipt this simulator issued;
 * an unknown receipt, an amount above the payment or a different receiving shortcode is refused.
 */
export function checkReversal(
  body: JsonBody,
  payment: (receipt: string) => { amount: number; shortcode: string; partyB: string } | undefined,
): ReversalFields {
  const initiator = body.Initiator
  if (typeof initiator !== 'string' || !initiator.trim()) throw invalid('Initiator')
  if (typeof body.SecurityCredential !== 'string' || !body.SecurityCredential.trim()) throw invalid('SecurityCredential')
  if (body.CommandID !== 'TransactionReversal') throw invalid('CommandID')
  const receipt = text(body.TransactionID)
  const paid = receipt ? payment(receipt) : undefined
  if (!receipt || !paid) throw invalid('TransactionID')
  // a reversal may take back part of a payment (a partial refund), never more than it was
  const amount = wholeAmount(body.Amount)
  if (amount === undefined || amount < 1 || amount > paid.amount) throw invalid('Amount')
  const receiverParty = text(body.ReceiverParty)
  if (receiverParty !== paid.shortcode && receiverParty !== paid.partyB) throw invalid('ReceiverParty')
  if (text(body.RecieverIdentifierType) !== '11') throw invalid('RecieverIdentifierType')
  if (!isHttpUrl(body.ResultURL)) throw invalid('ResultURL')
  if (!isHttpUrl(body.QueueTimeOutURL)) throw invalid('QueueTimeOutURL')
  const remarks = body.Remarks
  if (typeof remarks !== 'string' || remarks.length < 2 || remarks.length > 100) throw invalid('Remarks')
  return { initiator, receipt, amount, receiverParty, resultUrl: body.ResultURL, queueTimeoutUrl: body.QueueTimeOutURL, remarks }
}

export interface B2cFields {
  originatorConversationId: string
  initiator: string
  commandId: string
  amount: number
  partyA: string
  partyB: string
  remarks: string
  resultUrl: string
  queueTimeoutUrl: string
}

const B2C_COMMANDS = ['BusinessPayment', 'SalaryPayment', 'PromotionPayment']

/** Every B2C field (`/mpesa/b2c/v3/paymentrequest`); PartyA must be a B2C shortcode the simulator knows. */
export function checkB2c(body: JsonBody, b2cShortcodes: ReadonlySet<string>): B2cFields {
  const originatorConversationId = body.OriginatorConversationID
  if (typeof originatorConversationId !== 'string' || !/^[\w.-]{1,100}$/.test(originatorConversationId)) throw invalid('OriginatorConversationID')
  const initiator = body.InitiatorName
  if (typeof initiator !== 'string' || !initiator.trim()) throw invalid('InitiatorName')
  if (typeof body.SecurityCredential !== 'string' || !body.SecurityCredential.trim()) throw invalid('SecurityCredential')
  const commandId = body.CommandID
  if (typeof commandId !== 'string' || !B2C_COMMANDS.includes(commandId)) throw invalid('CommandID')
  const amount = wholeAmount(body.Amount)
  if (amount === undefined || amount < 10 || amount > 250_000) throw invalid('Amount')
  const partyA = text(body.PartyA)
  if (!partyA || !/^\d{5,7}$/.test(partyA)) throw invalid('PartyA')
  if (!b2cShortcodes.has(partyA)) throw new DarajaFault(500, '500.001.1001', 'Merchant does not exist')
  const partyB = text(body.PartyB)
  if (!partyB || !PHONE.test(partyB)) throw invalid('PartyB')
  const remarks = body.Remarks
  if (typeof remarks !== 'string' || remarks.length < 2 || remarks.length > 100) throw invalid('Remarks')
  if (!isHttpUrl(body.QueueTimeOutURL)) throw invalid('QueueTimeOutURL')
  if (!isHttpUrl(body.ResultURL)) throw invalid('ResultURL')
  if (body.Occassion !== undefined && (typeof body.Occassion !== 'string' || body.Occassion.length > 100)) throw invalid('Occassion')
  return { originatorConversationId, initiator, commandId, amount, partyA, partyB, remarks, resultUrl: body.ResultURL, queueTimeoutUrl: body.QueueTimeOutURL }
}
