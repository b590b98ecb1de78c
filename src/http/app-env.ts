import type { AppConfig } from '../config.ts'
import type { Database } from '../db/database.ts'
import type { Lang, Translator } from '../i18n/index.ts'

/** The one Hono environment type: bindings from the runtime, variables set by middleware. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: {
    config: AppConfig
    db: Database
    /** Current time for this request; injected so tests control it. */
    now: Date
    requestId: string
    lang: Lang
    t: Translator
  }
}
