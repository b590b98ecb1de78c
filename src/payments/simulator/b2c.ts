/**
 * The simulator's B2C (`POST /mpesa/b2c/v3/paymentrequest`): payouts from a shortcode to a phone. The
 * request is acknowledged at once and its result POSTed to ResultURL after the simulator's delay; the
 * B2C test phones (outcomes.ts B2C_PHONES) refuse it, or time it out in the queue (QueueTimeOutURL). An
 * OriginatorConversationID already taken is refused as a duplicate, unless its request timed out
 * unprocessed: that is how a payout is never paid twice.
 */
import type { Context, Hono } from 'hono'
import { B2C_PHONES, B2C_REFUSAL, eatTimestamp, resultDescription, type IdSource } from './outcomes.ts'
import type { DarajaSimulatorState, DeliveredCallback, SimulatedB2cPayment } from './types.ts'
import { checkB2c, DarajaFault, type JsonBody } from './validation.ts'

export interface B2cDeps {
  state: DarajaSimulatorState
  ids: IdSource
  now: () => Date
  delayMs: number
  jsonBody(c: Context): Promise<JsonBody>
  post(kind: DeliveredCallback['kind'], url: string, body: unknown): Promise<void>
  /** Work that the simulator's settle() waits for. */
  track(work: Promise<void>): Promise<void>
}

/** dd.MM.yyyy HH:mm:ss in East Africa Time, as B2C results carry TransactionCompletedDateTime. */
function completedDateTime(date: Date): string {
  const t = eatTimestamp(date)
  return `${t.slice(6, 8)}.${t.slice(4, 6)}.${t.slice(0, 4)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`
}

function resultBody(payment: SimulatedB2cPayment, now: Date) {
  const common = {
    ResultType: 0, OriginatorConversationID: payment.originatorConversationId, ConversationID: payment.conversationId,
    TransactionID: payment.receipt, ReferenceData: { ReferenceItem: { Key: 'QueueTimeoutURL', Value: payment.queueTimeoutUrl } },
  }
  if (payment.status !== 'paid') {
    return { Result: { ...common, ResultCode: payment.resultCode, ResultDesc: B2C_REFUSAL.resultDesc } }
  }
  return {
    Result: {
      ...common, ResultCode: 0, ResultDesc: resultDescription(0),
      ResultParameters: {
        ResultParameter: [
          { Key: 'TransactionAmount', Value: payment.amount },
          { Key: 'TransactionReceipt', Value: payment.receipt },
          { Key: 'B2CRecipientIsRegisteredCustomer', Value: 'Y' },
          { Key: 'B2CChargesPaidAccountAvailableFunds', Value: 0.0 },
          { Key: 'ReceiverPartyPublicName', Value: `${payment.partyB} - Test Seller` },
          { Key: 'TransactionCompletedDateTime', Value: completedDateTime(now) },
          { Key: 'B2CUtilityAccountAvailableFunds', Value: 100000.0 },
          { Key: 'B2CWorkingAccountAvailableFunds', Value: 0.0 },
        ],
      },
    },
  }
}

function timeoutBody(payment: SimulatedB2cPayment) {
  return {
    Result: {
      ResultType: 1, ResultCode: 1, ResultDesc: 'The request timed out while waiting in the queue.',
      OriginatorConversationID: payment.originatorConversationId, ConversationID: payment.conversationId, TransactionID: '',
    },
  }
}

export function mountB2c(app: Hono, deps: B2cDeps): void {
  const { state, ids, now } = deps
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  async function pay(payment: SimulatedB2cPayment) {
    payment.status = 'paid'
    payment.resultCode = 0
    payment.receipt = ids.receipt()
    await deps.post('b2c', payment.resultUrl, resultBody(payment, now()))
  }

  app.post('/mpesa/b2c/v3/paymentrequest', async (c) => {
    const fields = checkB2c(await deps.jsonBody(c), state.b2cShortcodes)
    const earlier = state.b2cPayments.filter((p) => p.originatorConversationId === fields.originatorConversationId)
    if (earlier.some((p) => p.status !== 'timed_out')) {
      throw new DarajaFault(400, '400.002.02', 'Bad Request - Duplicate OriginatorConversationID')
    }
    const payment: SimulatedB2cPayment = { ...fields, conversationId: ids.conversationId(), status: 'pending' }
    state.b2cPayments.push(payment)
    const later = () => sleep(deps.delayMs)
    if (fields.partyB === B2C_PHONES.refused) {
      void deps.track(later().then(() => {
        payment.status = 'failed'
        payment.resultCode = B2C_REFUSAL.resultCode
        payment.receipt = ids.receipt()
        return deps.post('b2c', payment.resultUrl, resultBody(payment, now()))
      }))
    } else if ((fields.partyB === B2C_PHONES.timeoutThenPaid && earlier.length === 0) || fields.partyB === B2C_PHONES.timeoutLateSuccess) {
      const late = fields.partyB === B2C_PHONES.timeoutLateSuccess
      void deps.track(later().then(async () => {
        payment.status = 'timed_out'
        await deps.post('b2c_timeout', payment.queueTimeoutUrl, timeoutBody(payment))
        // processed after all, after the timeout was reported
        if (late) await later().then(() => pay(payment))
      }))
    } else {
      void deps.track(later().then(() => pay(payment)))
    }
    return c.json({
      ConversationID: payment.conversationId,
      OriginatorConversationID: payment.originatorConversationId,
      ResponseCode: '0',
      ResponseDescription: 'Accept the service request successfully.',
    })
  })
}
