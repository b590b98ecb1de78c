/**
 * A transfer with a fee to test: an organiser with M-Pesa (the Daraja simulator), an event that allows transfers
 * and charges KES 100 for one, a ticket sold to a seller with a confirmed phone (their codes go to WhatsApp), a
 * scanner at its gate, its manager and another organiser's manager.
 */
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { scanBody } from '../scanning/gate-fixtures.ts'
import { asSystem } from '../support/fixtures.ts'
import { freshPhone, ticketOwnerWorld } from '../support/ticket-owner-world.ts'
import { codeSentTo } from './transfer-kit.ts'

export const FEE = 10_000

export async function feeKit(db: Database, options: { fee?: number } = {}) {
  const world = await ticketOwnerWorld(db, {
    priceMinor: 100_000, event: { allow_transfers: true, max_transfers: 3, transfer_fee_minor: options.fee ?? FEE },
  })
  const { kit, event, clients, ticket, sellerPhone } = world
  const recipient = freshPhone()

  /** The seller starts a transfer to the recipient through the API and confirms it with their code. */
  const startAndConfirm = async (client = clients.seller) => {
    const started = await client.postJson(`/api/v1/tickets/${ticket.id}/transfers`, { to: recipient.local })
    if (started.status !== 201) throw new Error(`start failed: ${started.status} ${await started.text()}`)
    const id = (await started.json() as { id: string }).id
    const code = await codeSentTo(db, sellerPhone.wa, kit.ring)
    const confirmed = await client.postJson(`/api/v1/transfers/${id}/confirm`, { code })
    if (confirmed.status !== 200) throw new Error(`confirm failed: ${confirmed.status} ${await confirmed.text()}`)
    return { id, confirmed: await confirmed.json() as TransferJson }
  }
  /** Pays the fee: the simulator's paying number answers by itself; any other number leaves the prompt on the phone. */
  const payFee = async (transferId: string, phone: string = SIMULATOR_PHONES.success, client = clients.seller) => {
    const res = await client.postJson(`/api/v1/transfers/${transferId}/fee`, { phone })
    const prompt = kit.sim.state.prompts.at(-1)
    await kit.sim.settle()
    const body = res.status === 202 ? await res.json() as { transactionId: string; transfer: TransferJson } : undefined
    return { res, body, checkoutRequestId: prompt?.checkoutRequestId }
  }
  const show = async (transferId: string, client = clients.seller) => {
    const res = await client.get(`/api/v1/transfers/${transferId}`)
    return { status: res.status, body: res.status === 200 ? await res.json() as TransferJson : undefined }
  }
  const scan = async (code: string) =>
    (await clients.scanner.postJson(`/api/v1/events/${event.id}/scans`, scanBody(code))).json() as Promise<{ result: string; reason?: string }>
  const ticketRow = () => asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow())
  const transferRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('transfers').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const feePayments = (transferId: string) => asSystem(db, (trx) => trx.selectFrom('transactions').selectAll().where('transfer_id', '=', transferId)
    .orderBy('created_at').execute())
  const paymentRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const refundsOf = (paymentId: string) => asSystem(db, (trx) => trx.selectFrom('refunds').selectAll().where('transaction_id', '=', paymentId).execute())
  /** Messages of a type to the recipient so far. */
  const recipientMessages = (type: string) => asSystem(db, (trx) => trx.selectFrom('notifications').select('id')
    .where('type', '=', type as never).where((eb) => eb(eb.fn('jsonb_extract_path_text', ['content', eb.val('to')]), '=', recipient.wa)).execute())

  return {
    ...world, recipient,
    startAndConfirm, payFee, show, scan, ticketRow, transferRow, feePayments, paymentRow, refundsOf, recipientMessages,
  }
}

export interface TransferJson {
  id: string
  status: string
  confirmed: boolean
  expiresAt: string
  fee: { amountMinor: number; currency: string; status: string; transactionId: string | null } | null
}
