/**
 * Per-device scanner tokens. The scanner page asks for one while signed in; the phone keeps it and
 * sends it as `Authorization: Bearer …`, so a session that lapses mid-shift does not stop the gate or
 * lose queued scans. Only its hash is stored. It works for the events its person may scan (checked at
 * each use, so removing an assignment or membership stops it too) until it expires or a manager
 * revokes it.
 */
import type { Queryable } from '../db/database.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'

/** A shift and then some; a phone asks for a new token whenever it is signed in. */
export const DEVICE_TOKEN_DAYS = 3
const TOKEN_PREFIX = 'sd_'

export async function issueDeviceToken(db: Queryable, input: { tenantId: string; userId: string; deviceId: string; label: string; now: Date }) {
  // one live token per person and device: asking again replaces it
  await db.updateTable('scanner_devices').set({ revoked_at: input.now })
    .where('user_id', '=', input.userId).where('device_id', '=', input.deviceId).where('revoked_at', 'is', null).execute()
  const token = TOKEN_PREFIX + randomToken()
  const expiresAt = new Date(input.now.getTime() + DEVICE_TOKEN_DAYS * 24 * 3600_000)
  const row = await db.insertInto('scanner_devices').values({
    tenant_id: input.tenantId, user_id: input.userId, device_id: input.deviceId, label: input.label,
    token_hash: await sha256Hex(token), expires_at: expiresAt,
  }).returning('id').executeTakeFirstOrThrow()
  return { token, id: row.id, expiresAt }
}

/** Whether a bearer value looks like a device token at all (anything else is not looked up). */
export function isDeviceToken(value: string): boolean {
  return /^sd_[A-Za-z0-9_-]{43}$/.test(value)
}

/** The live device behind a token (platform context: nobody is known yet), noting it was seen. */
export async function findLiveDevice(db: Queryable, token: string, now: Date) {
  const device = await db.selectFrom('scanner_devices as d')
    .innerJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'd.user_id').onRef('m.tenant_id', '=', 'd.tenant_id'))
    .innerJoin('tenants as t', 't.id', 'd.tenant_id')
    .select(['d.id', 'd.tenant_id', 'd.user_id', 'd.device_id', 'd.last_seen_at', 'm.role'])
    .where('d.token_hash', '=', await sha256Hex(token)).where('d.revoked_at', 'is', null).where('d.expires_at', '>', now)
    .where('t.status', '=', 'active')
    .executeTakeFirst()
  // a write per scan would cost more than the scan: "last seen" is kept to the minute
  if (device && (!device.last_seen_at || now.getTime() - device.last_seen_at.getTime() > 60_000)) {
    await db.updateTable('scanner_devices').set({ last_seen_at: now }).where('id', '=', device.id).execute()
  }
  return device
}

/** A manager stops a device's token. False when it is not one of the tenant's live devices. */
export async function revokeDevice(db: Queryable, input: { tenantId: string; id: string; by: string; now: Date }): Promise<boolean> {
  const row = await db.updateTable('scanner_devices').set({ revoked_at: input.now, revoked_by: input.by })
    .where('id', '=', input.id).where('tenant_id', '=', input.tenantId).where('revoked_at', 'is', null)
    .returning('id').executeTakeFirst()
  return row !== undefined
}

/** Ends every live device token of a person, in every tenant (their password was reset). */
export async function revokeDeviceTokensOf(db: Queryable, userId: string, now: Date): Promise<void> {
  await db.updateTable('scanner_devices').set({ revoked_at: now })
    .where('user_id', '=', userId).where('revoked_at', 'is', null).execute()
}

/** The tenant's devices that scanned or may scan, newest first, with their person and last sighting. */
export function listDevices(db: Queryable, tenantId: string) {
  return db.selectFrom('scanner_devices as d').innerJoin('users as u', 'u.id', 'd.user_id')
    .select(['d.id', 'd.device_id', 'd.label', 'd.created_at', 'd.last_seen_at', 'd.revoked_at', 'd.expires_at', 'u.name', 'u.email'])
    .where('d.tenant_id', '=', tenantId).orderBy('d.created_at', 'desc').limit(200).execute()
}
