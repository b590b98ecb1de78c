/**
 * Checking a scan in, online or uploaded from a device's offline queue. Every attempt is recorded in
 * `scans`, once per client scan id; admission itself is one statement (tickets/lifecycle.ts admitTicket).
 *
 * Offline uploads are facts that already happened and are never refused (pretix's semantics): a
 * device that let someone in offline is recorded as `entered`; when the ticket was already admitted,
 * the earliest scan is the admission and the other a duplicate that got in (a double entry the
 * manager is shown). A device that refused offline is recorded as it refused, and admits nothing.
 */
import type { Queryable } from '../db/database.ts'
import { fromBase64 } from '../lib/crypto.ts'
import { readUnverifiedClaims, verifyTicketCode } from '../tickets/signed-code.ts'
import { admitTicket } from '../tickets/lifecycle.ts'
import type { ScanResult } from '../db/schema.ts'
import {
  findScanAnswer, firstAdmission, insertScan, moveAdmissionEarlier, ticketAtGate, type ScanRowInput,
} from './scan-queries.ts'
import { firstName, refusedCode, refusedTicket, type ScanAnswer, type ScanOutcome, type ScanReason } from './verdict.ts'

/** Who scans: the person (scanner or manager) in their tenant, and the device token they used, if any. */
export interface GateActor {
  tenantId: string
  userId: string
  scannerDeviceId: string | null
}

export interface ScanInput {
  code: string
  scanId: string
  scannedAt: Date
  deviceId: string
  gate?: string
  location?: { latitude: number; longitude: number }
  deviceInfo?: string
}

/** What the device itself decided offline, sent with the upload. */
export interface OfflineVerdict {
  result: ScanOutcome
  reason?: ScanReason
}

/** A device clock far ahead of the server is not trusted for "when it happened". */
const MAX_FUTURE_MS = 5 * 60_000
const REFUND_STATES = new Set(['refund_due', 'refund_requested', 'refunded'])

// Importing a raw Ed25519 key costs more than verifying with it: keep each imported key, by its bytes.
const importedKeys = new Map<string, Promise<CryptoKey>>()

function importKey(publicKey: string): Promise<CryptoKey> {
  let key = importedKeys.get(publicKey)
  if (!key) {
    key = crypto.subtle.importKey('raw', fromBase64(publicKey), { name: 'Ed25519' }, true, ['verify'])
    if (importedKeys.size > 1000) importedKeys.clear()
    importedKeys.set(publicKey, key)
  }
  return key
}

async function tenantKeys(db: Queryable, tenantId: string): Promise<Map<number, string>> {
  const rows = await db.selectFrom('ticket_signing_keys').select(['key_id', 'public_key']).where('tenant_id', '=', tenantId).execute()
  return new Map(rows.map((row) => [row.key_id, row.public_key]))
}

function scanTime(input: ScanInput, now: Date): Date {
  return input.scannedAt.getTime() > now.getTime() + MAX_FUTURE_MS ? now : input.scannedAt
}

/** A typed or wedge-scanned code may come in lower case or with spaces; Base32 is upper case. */
export function normaliseCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase()
}

/**
 * Records one scan for an event the actor may scan (the caller checked) and answers it. A repeat of a
 * scan id answers the first answer and records nothing new.
 */
export async function recordScan(
  trx: Queryable, actor: GateActor, eventId: string, input: ScanInput, now: Date, offline?: OfflineVerdict,
): Promise<{ answer: ScanAnswer; replay: boolean }> {
  const scannedAt = scanTime(input, now)
  const row: ScanRowInput = {
    tenantId: actor.tenantId, eventId, scannerId: actor.userId, scanId: input.scanId, deviceId: input.deviceId,
    scannerDeviceId: actor.scannerDeviceId, gate: input.gate ?? null, latitude: input.location?.latitude ?? null,
    longitude: input.location?.longitude ?? null, deviceInfo: input.deviceInfo ?? null, scannedAt, offline: offline !== undefined, now,
  }
  const earlier = await findScanAnswer(trx, eventId, input.scanId)
  if (earlier) return { answer: earlier.answer, replay: true }
  const { answer, ticketId, entered } = await decide(trx, actor, eventId, normaliseCode(input.code), scannedAt, now, offline)
  const first = await insertScan(trx, row, { ticketId, result: answer.result as ScanResult, reason: answer.reason ?? null, entered, answer })
  if (!first) {
    // the same scan id raced in: the request that recorded it first holds the answer
    const recorded = await findScanAnswer(trx, eventId, input.scanId)
    return { answer: recorded?.answer ?? answer, replay: true }
  }
  return { answer, replay: false }
}

async function decide(
  trx: Queryable, actor: GateActor, eventId: string, code: string, at: Date, now: Date, offline?: OfflineVerdict,
): Promise<{ answer: ScanAnswer; ticketId: string | null; entered: boolean }> {
  const keys = await tenantKeys(trx, actor.tenantId)
  const verified = await verifyTicketCode(code, (keyId) => {
    const key = keys.get(keyId)
    return key ? importKey(key) : undefined
  }, { eventId, now })
  if (!verified.ok) {
    // a code for another event of another organiser is not ours to vouch for: it reads as forged here
    const claims = verified.reason === 'unknown_key' || verified.reason === 'bad_signature' ? readUnverifiedClaims(code) : null
    const answer = claims && claims.eventId !== eventId.toLowerCase() ? { result: 'invalid' as const, reason: 'other_event' as const } : refusedCode(verified.reason)
    return offline && offline.result !== 'valid'
      ? { answer: offline, ticketId: null, entered: false }
      : { answer, ticketId: null, entered: offline !== undefined }
  }
  const claims = verified.claims
  // the device refused at the gate: that is what happened; nothing is admitted
  if (offline && offline.result !== 'valid') return { answer: offline, ticketId: claims.ticketId, entered: false }
  const admitted = await admitTicket(trx, { ticketId: claims.ticketId, eventId, qrVersion: claims.qrVersion, scannerId: actor.userId, at, now })
  if (admitted) {
    const shown = { id: admitted.id, type: admitted.type_name, holderFirstName: firstName(admitted.holder_name) }
    return { answer: { result: 'valid', ticket: shown }, ticketId: admitted.id, entered: true }
  }
  const ticket = await ticketAtGate(trx, claims.ticketId, eventId, { lock: offline !== undefined })
  if (!ticket) return { answer: { result: 'invalid', reason: 'not_issued' }, ticketId: null, entered: offline !== undefined }
  const shown = { id: ticket.id, type: ticket.type_name, holderFirstName: firstName(ticket.holder_name) }
  const refusal = refusedTicket({
    status: ticket.status, qrVersion: ticket.qr_version, refunded: REFUND_STATES.has(ticket.payment_status ?? ''),
  }, claims.qrVersion)
  if (refusal !== 'used') return { answer: { ...refusal, ticket: shown }, ticketId: ticket.id, entered: offline !== undefined }
  const first = await firstAdmission(trx, ticket.id)
  const firstAt = first?.scanned_at ?? ticket.scanned_at
  if (offline && firstAt && at.getTime() < firstAt.getTime()) {
    // this device let the holder in before the admission on record: it becomes the admission
    await moveAdmissionEarlier(trx, { ticketId: ticket.id, scannerId: actor.userId, at, now })
    return { answer: { result: 'valid', ticket: shown }, ticketId: ticket.id, entered: true }
  }
  const firstScan = { at: (firstAt ?? now).toISOString(), gate: first?.gate ?? null, deviceId: first?.device_id ?? null }
  return {
    answer: { result: 'duplicate', reason: 'already_used', ticket: shown, firstScan }, ticketId: ticket.id, entered: offline !== undefined,
  }
}
