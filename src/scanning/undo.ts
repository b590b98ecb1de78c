/**
 * Undoing a mistaken admission: only from the device that made it, by the same person, within two
 * minutes, and audited. The ticket becomes active again (the one way back from used).
 */
import { recordAudit } from '../audit/audit-log.ts'
import type { Queryable } from '../db/database.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { moveTickets } from '../tickets/lifecycle.ts'
import type { GateActor } from './check-in.ts'

export const UNDO_WINDOW_MS = 2 * 60_000

export async function undoAdmission(trx: Queryable, actor: GateActor, input: { eventId: string; scanId: string; deviceId: string; now: Date }) {
  const scan = await trx.selectFrom('scans').select(['id', 'ticket_id', 'scanner_id', 'device_id', 'scan_result', 'scanned_at', 'synced_at', 'undone_at'])
    .where('event_id', '=', input.eventId).where('scan_id', '=', input.scanId).forUpdate().executeTakeFirst()
  if (!scan || scan.scan_result !== 'valid' || !scan.ticket_id) throw new DomainError(404, 'not_found', 'api.notFound')
  if (scan.scanner_id !== actor.userId || scan.device_id !== input.deviceId) throw new DomainError(403, 'other_device', 'gate.undoOtherDevice')
  const age = input.now.getTime() - (scan.synced_at ?? scan.scanned_at).getTime()
  if (scan.undone_at || age > UNDO_WINDOW_MS) throw new DomainError(409, 'undo_too_late', 'gate.undoTooLate')
  const moved = await moveTickets(trx, ['used'], 'active', { ids: [scan.ticket_id] }, { scanned_at: null, scanned_by: null }, input.now)
  if (moved !== 1) throw new DomainError(409, 'undo_too_late', 'gate.undoTooLate')
  await trx.updateTable('scans').set({ undone_at: input.now, undone_by: actor.userId, entered: false }).where('id', '=', scan.id).execute()
  await recordAudit(trx, {
    action: 'scan_undone', tenantId: actor.tenantId, actorUserId: actor.userId, targetType: 'ticket', targetId: scan.ticket_id,
    metadata: { eventId: input.eventId, scanId: input.scanId, deviceId: input.deviceId },
  })
}
