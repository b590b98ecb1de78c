/**
 * The scheduler port: work to run later, at least once. Locally (and on a plain server) jobs wait in the
 * `jobs` table and the Deno process, or a Workers cron trigger, runs the due ones; in serverless
 * deployments QStash delivers them to /jobs/qstash. Handlers must be safe to run twice.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { BackgroundServices } from '../services.ts'

export interface JobRequest {
  kind: JobKind
  payload?: Record<string, unknown>
  /** Not before this time (default: now). */
  runAt?: Date
  /** A second request with the same key is dropped while the first is still pending. */
  dedupeKey?: string
}

export interface Scheduler {
  enqueue(job: JobRequest): Promise<void>
}

export type JobKind = 'expire-holds' | 'check-payment' | 'refund-payment' | 'refund-sweep' | 'payout-sweep' | 'advance-events' | 'send-notifications' | 'event-reminders' | 'build-export'

export type JobHandler = (db: Database, payload: Record<string, unknown>, now: Date, services: BackgroundServices) => Promise<void>

/** Jobs in Postgres, run by runDueJobs. */
export function postgresScheduler(db: Database): Scheduler {
  return {
    async enqueue(job) {
      await withContext(db, SYSTEM, (trx) => trx.insertInto('jobs').values({
        kind: job.kind, payload: job.payload ?? {}, run_at: job.runAt ?? new Date(), dedupe_key: job.dedupeKey ?? null,
      }).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute())
    },
  }
}

const MAX_ATTEMPTS = 5
const LOCK_MS = 5 * 60_000

/**
 * Runs up to `limit` due jobs. Each is claimed with FOR UPDATE SKIP LOCKED and a lease, so two runners
 * (two servers, or a cron overlapping a slow run) never run the same job at once. A failure is retried
 * with exponential backoff, up to five attempts. Returns how many ran.
 */
export async function runDueJobs(
  db: Database, services: BackgroundServices, handlers: Partial<Record<JobKind, JobHandler>>, now: Date, limit = 20,
): Promise<number> {
  const claimed = await withContext(db, SYSTEM, (trx) => trx.updateTable('jobs')
    .set((eb) => ({ status: 'running', attempts: eb('attempts', '+', 1), locked_until: new Date(now.getTime() + LOCK_MS) }))
    .where('id', 'in', (eb) => eb.selectFrom('jobs').select('id')
      .where((w) => w.or([
        w.and([w('status', '=', 'pending'), w('run_at', '<=', now)]),
        w.and([w('status', '=', 'running'), w('locked_until', '<', now)]), // a runner died mid-job
      ]))
      .orderBy('run_at').limit(limit).forUpdate().skipLocked())
    .returning(['id', 'kind', 'payload', 'attempts']).execute())
  for (const job of claimed) {
    const handler = handlers[job.kind as JobKind]
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
      await handler(db, job.payload as Record<string, unknown>, now, services)
      await withContext(db, SYSTEM, (trx) => trx.updateTable('jobs').set({ status: 'done', locked_until: null, dedupe_key: null })
        .where('id', '=', job.id).execute())
    } catch (error) {
      const failed = job.attempts >= MAX_ATTEMPTS
      await withContext(db, SYSTEM, (trx) => trx.updateTable('jobs').set({
        status: failed ? 'failed' : 'pending', locked_until: null, last_error: String((error as Error)?.message ?? error).slice(0, 500),
        run_at: new Date(now.getTime() + 2 ** job.attempts * 1000),
        ...(failed ? { dedupe_key: null } : {}),
      }).where('id', '=', job.id).execute())
    }
  }
  return claimed.length
}
