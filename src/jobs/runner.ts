/** What runs the scheduled work: the handlers by job kind, and one tick of the local scheduler. */
import { buildExportJob, dropExpiredExports } from '../analytics/export-jobs.ts'
import type { Database } from '../db/database.ts'
import { checkPayment } from '../payments/payment-checks.ts'
import { advanceEvents } from '../events/event-time.ts'
import { requestRefund, sweepRefunds } from '../payments/refunds.ts'
import { sweepPayouts } from '../payouts/payout-sweep.ts'
import { dispatchDue } from '../notifications/dispatcher.ts'
import { eventRemindersJob } from '../notifications/reminders.ts'
import type { BackgroundServices } from '../services.ts'
import { postgresBlobStore } from '../storage/blob-store.ts'
import { expireHolds } from './expire-holds.ts'
import { expireDueTransfers } from '../transfers/transfer-service.ts'
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
  'refund-sweep': async (db, _payload, now, services) => {
    await sweepRefunds(db, services, now)
  },
  'payout-sweep': async (db, _payload, now, services) => {
    await sweepPayouts(db, services, now)
  },
  'advance-events': async (db, _payload, now) => {
    await advanceEvents(db, now)
  },
  'event-reminders': eventRemindersJob,
  'send-notifications': async (db, _payload, now, services) => {
    await sendDueMessages(db, services, now)
  },
  'build-export': (db, payload, now) => buildExportJob(db, payload, now),
}

/** Delivers the messages that are due (none when this runner has no senders). */
async function sendDueMessages(db: Database, services: BackgroundServices, now: Date) {
  if (!services.senders) return
  await dispatchDue({
    db, senders: services.senders, secretKeys: services.secretKeys, blobStore: services.blobStore ?? postgresBlobStore,
    scheduler: services.scheduler, clock: () => now,
  })
}

/**
 * One tick: the periodic hold sweep, events whose time has come, due refunds and resale payouts (a few
 * a tick each: the pace Daraja accepts), then whatever queued jobs are due. Deno runs it on a timer, Workers on a cron trigger.
 */
export async function tick(db: Database, services: BackgroundServices, now: Date = new Date()): Promise<void> {
  await expireHolds(db, {}, now, services)
  await expireDueTransfers(db, services.secretKeys, now)
  await advanceEvents(db, now)
  await sweepRefunds(db, services, now)
  await sweepPayouts(db, services, now)
  await dropExpiredExports(db, now)
  await runDueJobs(db, services, JOB_HANDLERS, now)
  await sendDueMessages(db, services, now)
}
