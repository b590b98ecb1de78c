/**
 * Who may use the gate's API for an event: the scanner's session, or a device token (see devices.ts),
 * of a scanner assigned to the event or a manager of its tenant. Nobody else learns the event exists.
 */
import type { Context } from 'hono'
import { contextFor } from '../accounts/current-user.ts'
import { SYSTEM, withContext, type RequestContext } from '../db/request-context.ts'
import type { Transaction } from 'kysely'
import type { DB } from '../db/schema.ts'
import { apiError, apiNotFound } from '../http/api.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { GateActor } from './check-in.ts'
import { findLiveDevice, isDeviceToken } from './devices.ts'
import { findScannableEvent, type Scanner } from './queries.ts'

type Resolved = { actor: GateActor & Scanner; context: RequestContext } | { refused: Response }

async function resolveActor(c: Context<AppEnv>): Promise<Resolved> {
  const bearer = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
  if (bearer) {
    const device = isDeviceToken(bearer) ? await withContext(c.var.db, SYSTEM, (trx) => findLiveDevice(trx, bearer, c.var.now)) : undefined
    if (!device) return { refused: apiError(c, 401, 'unauthenticated', 'gate.tokenRefused') }
    const actor = { tenantId: device.tenant_id, userId: device.user_id, role: device.role, scannerDeviceId: device.id }
    return { actor, context: { role: device.role, tenantId: device.tenant_id, userId: device.user_id } }
  }
  const user = c.var.user
  if (!user) return { refused: apiError(c, 401, 'unauthenticated', 'error.signInRequired') }
  const membership = user.activeMembership
  if (!membership || membership.tenantStatus !== 'active') return { refused: apiError(c, 403, 'forbidden', 'error.forbidden') }
  return {
    actor: { tenantId: membership.tenantId, userId: user.id, role: membership.role, scannerDeviceId: null },
    context: contextFor(user),
  }
}

/**
 * Runs `work` in one transaction as the gate's actor, once the event is theirs to scan; otherwise the
 * refusal (401 no session or token, 403 not staff, 404 not their event), with nothing recorded.
 */
export async function withGate<T>(
  c: Context<AppEnv>, eventId: string, work: (trx: Transaction<DB>, actor: GateActor & Scanner) => Promise<T>,
): Promise<{ value: T } | { refused: Response }> {
  const resolved = await resolveActor(c)
  if ('refused' in resolved) return resolved
  const { actor, context } = resolved
  const value = await withContext(c.var.db, context, async (trx) => {
    if (!(await findScannableEvent(trx, actor, eventId))) return { missing: true as const }
    return { value: await work(trx, actor) }
  })
  if ('missing' in value) return { refused: apiNotFound(c) }
  return value
}
