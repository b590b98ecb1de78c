/** What runs the scheduled work: the handlers by job kind, and one tick of the local scheduler. */
import { buildExportJob, dropExpiredExports } from '../analytics/export-jobs.ts'
import type { Database } from '../db/database.ts'
import { checkPayment } from '../payments/payment-checks.ts'
import { requestRefund } from '../payments/refunds.ts'
import type { BackgroundServices } from '../services.ts'
import { expireHolds } from './expire-holds.ts'
import { runDueJobs, type JobHandler, type JobKind } from './scheduler.ts'

const text = (value: unknown) => (typeof value === 'string' ? value : '')

export const JOB_HANDLERS: Record<JobKind, JobHandler> = {
  'expire-holds': expireHolds,
  'check-payment': async (db, payload, now, services) => {
    await checkPayment(db, services, {
      paymentId: text(payload.transactionId), attempt: Number(payload.attempt ?? 1), recheck: payload.recheck === true,
    }, now)
  },
  'refund-payment': (db, payload, now, services) => requestRefund(db, services, text(payload.transactionId), now),
  'build-export': (db, payload, now) => buildExportJob(db, payload, now),
}

/** One tick: the periodic hold sweep, then whatever queued jobs are due. Deno runs it on a timer, Workers on a cron trigger. */
export async function tick(db: Database, services: BackgroundServices, now: Date = new Date()): Promise<void> {
  await expireHolds(db, {}, now, services)
  await dropExpiredExports(db, now)
  await runDueJobs(db, services, JOB_HANDLERS, now)
}
