/**
 * Daraja's B2C results and queue timeouts for payouts: `/payments/mpesa/b2c/{payoutId}/{secret}/result`
 * and `…/timeout`. Safaricom does not sign them, so one counts only when its URL carries the payout's
 * secret (its SHA-256 compared in constant time), its body has Daraja's shape and it names the payout's
 * current OriginatorConversationID. Every one is answered with Daraja's "Accepted", the ignored ones
 * too (a failing answer makes Safaricom repeat it); nothing else changes for those.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { constantTimeEqualText, sha256Hex } from '../lib/crypto.ts'
import { findPayout } from './payout-queries.ts'
import { applyB2cResult, applyB2cTimeout, b2cResultBody } from './payout-results.ts'

export const payoutCallbackRoutes = factory.createApp()

const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' }

/** The payout the URL names, if the URL's secret is its secret. */
async function payoutFromUrl(c: Context<AppEnv>) {
  const id = z.uuid().safeParse(c.req.param('payoutId'))
  const secret = c.req.param('secret') ?? ''
  if (!id.success || secret.length > 100) return undefined
  const payout = await withContext(c.var.db, SYSTEM, (trx) => findPayout(trx, id.data))
  if (!payout?.callback_secret_hash || !constantTimeEqualText(payout.callback_secret_hash, await sha256Hex(secret))) return undefined
  return payout
}

async function readResult(c: Context<AppEnv>) {
  const payout = await payoutFromUrl(c)
  const body = b2cResultBody.safeParse(await c.req.json().catch(() => undefined))
  if (!payout) return { ignored: 'unknown payout or wrong secret' } as const
  if (!body.success) return { ignored: 'malformed body' } as const
  return { payoutId: payout.id, result: body.data.Result } as const
}

/** Runs a handler; a failure is logged and still acknowledged (Daraja repeats a result it got no ack for). */
async function acknowledged(c: Context<AppEnv>, handle: () => Promise<string>) {
  try {
    c.set('logNote', await handle())
  } catch (error) {
    c.set('logNote', `failed: ${String((error as Error)?.message ?? error).slice(0, 200)}`)
  }
  return c.json(ACCEPTED)
}

payoutCallbackRoutes.post('/payments/mpesa/b2c/:payoutId/:secret/result', (c) => acknowledged(c, async () => {
  const read = await readResult(c)
  return 'ignored' in read ? `ignored: ${read.ignored}` : await applyB2cResult(c.var.db, read.payoutId, read.result, c.var.now)
}))

payoutCallbackRoutes.post('/payments/mpesa/b2c/:payoutId/:secret/timeout', (c) => acknowledged(c, async () => {
  const read = await readResult(c)
  return 'ignored' in read ? `ignored: ${read.ignored}` : `timeout: ${await applyB2cTimeout(c.var.db, read.payoutId, read.result, c.var.now)}`
}))
