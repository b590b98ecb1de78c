/**
 * Uploading a device's offline queue: a batch of scans, each with its scan id, recorded as check-in.ts
 * records offline scans. Idempotent: a scan id already recorded answers its first answer.
 */
import type { Queryable } from '../db/database.ts'
import { readUnverifiedClaims } from '../tickets/signed-code.ts'
import { normaliseCode, recordScan, type GateActor, type OfflineVerdict, type ScanInput } from './check-in.ts'
import type { ScanAnswer } from './verdict.ts'

export type QueuedScan = ScanInput & { offline: OfflineVerdict }

export async function syncScans(trx: Queryable, actor: GateActor, eventId: string, scans: QueuedScan[], now: Date) {
  // ticket rows are locked as scans are admitted: every batch takes them in ticket order, so two
  // devices uploading the same tickets in different orders wait for each other instead of deadlocking
  const ordered = [...scans].sort((a, b) => {
    const ka = readUnverifiedClaims(normaliseCode(a.code))?.ticketId ?? ''
    const kb = readUnverifiedClaims(normaliseCode(b.code))?.ticketId ?? ''
    return ka === kb ? a.scannedAt.getTime() - b.scannedAt.getTime() : ka < kb ? -1 : 1
  })
  const answers = new Map<string, { answer: ScanAnswer; replay: boolean }>()
  for (const scan of ordered) {
    if (answers.has(scan.scanId)) continue
    answers.set(scan.scanId, await recordScan(trx, actor, eventId, scan, now, scan.offline))
  }
  return scans.filter((scan, i) => scans.findIndex((other) => other.scanId === scan.scanId) === i)
    .map((scan) => ({ scanId: scan.scanId, ...answers.get(scan.scanId)! }))
}
