import type { CurrentUser, StaffMember, TicketOwner } from '../accounts/people.ts'
import type { AppConfig } from '../config.ts'
import type { Database } from '../db/database.ts'
import type { Lang, Translator } from '../i18n/index.ts'
import type { AppServices } from '../services.ts'

/** The one Hono environment type: bindings from the runtime, variables set by middleware. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: {
    config: AppConfig
    services: AppServices
    db: Database
    /** Current time for this request; injected so tests control it. */
    now: Date
    requestId: string
    lang: Lang
    t: Translator
    /** The signed-in person, or null. */
    user: CurrentUser | null
    /** Set by requireManager and requireStaff for the handlers behind them; read with staffMember(c). */
    staff?: StaffMember
    /** Set by ticketOwnerAuth on the ticket owners' API routes; read with ticketOwner(c). */
    ticketOwner?: TicketOwner | null
    /** A word for the request's log line (why a callback was ignored); never personal data. */
    logNote?: string
  }
}
