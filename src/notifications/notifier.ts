/**
 * Kicks the dispatcher right after a request that wrote a message has committed, so a ticket delivery
 * leaves within seconds of the payment instead of waiting for the next scheduler tick. One run at a
 * time per process; a kick during a run asks for one more pass.
 */
import type { DatabaseProvider } from '../db/database.ts'
import { postgresBlobStore } from '../storage/blob-store.ts'
import type { AppServices } from '../services.ts'
import { dispatchDue } from './dispatcher.ts'

export interface Notifier {
  /** Resolves when the pass it started (or joined) is done; never rejects. */
  kick(): Promise<void>
}

const MAX_PASSES = 20

export function createNotifier(database: DatabaseProvider, services: () => AppServices, onError: (error: unknown) => void): Notifier {
  let running: Promise<void> | undefined
  let again = false
  async function run() {
    const lease = database.acquire()
    try {
      const current = services()
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        again = false
        const claimed = await dispatchDue({
          db: lease.db, senders: current.senders, secretKeys: current.secretKeys, blobStore: current.blobStore ?? postgresBlobStore,
          scheduler: current.scheduler,
        })
        if (claimed === 0 && !again) break
      }
    } catch (error) {
      onError(error)
    } finally {
      await lease.release()
    }
  }
  return {
    kick() {
      if (running) {
        again = true
        return running
      }
      running = run().finally(() => {
        running = undefined
      })
      return running
    },
  }
}
