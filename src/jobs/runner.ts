/** What runs the scheduled work: the handlers by job kind, and one tick of the local scheduler. */
import type { Database } from '../db/database.ts'
import { expireHolds } from './expire-holds.ts'
import { runDueJobs, type JobHandler, type JobKind } from './scheduler.ts'

export const JOB_HANDLERS: Record<JobKind, JobHandler> = {
  'expire-holds': expireHolds,
}

/** One tick: the periodic hold sweep, then whatever queued jobs are due. Deno runs it on a timer, Workers on a cron trigger. */
export async function tick(db: Database, now: Date = new Date()): Promise<void> {
  await expireHolds(db, {}, now)
  await runDueJobs(db, JOB_HANDLERS, now)
}
