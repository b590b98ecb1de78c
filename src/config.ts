/**
 * Configuration from environment variables (Deno.env or Worker bindings), read once at start-up.
 * Secrets only ever come from here.
 */
import { isLang, type Lang } from './i18n/index.ts'

export type AppMode = 'development' | 'production' | 'test'

export interface AppConfig {
  mode: AppMode
  defaultLang: Lang
  /** postgres:// URL; absent means the embedded database. */
  databaseUrl?: string
  /** Public origin for links in emails (e.g. https://tikiti.example); default: the request's origin. */
  publicUrl?: string
  /** Replaces the Daraja host for every tenant (a simulator or test server). */
  darajaBaseUrl?: string
  /** The Daraja simulator's phone page, when the simulator stands in for Daraja (development). */
  simulatedPhoneUrl?: string
  /** Connections in the Deno server's Postgres pool. */
  databasePoolMax: number
  /** Open (unexpired, unpaid) holds one client may have per event; 0: no cap. Default in src/tickets/hold-limits.ts. */
  holdsPerClient?: number
  /** Open holds one paying phone may have per event; 0: no cap. */
  holdsPerPhone?: number
  /** Tickets an event may have, summed over its ticket types. */
  maxTicketsPerEvent?: number
}

export type EnvVars = Record<string, unknown>

function str(vars: EnvVars, name: string): string | undefined {
  const value = vars[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A whole number of at least `min`, or undefined when unset (the feature's default applies). */
function count(vars: EnvVars, name: string, min = 0): number | undefined {
  const text = str(vars, name)
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`${name} must be a whole number of at least ${min} (got "${text}")`)
  return Number(text)
}

export function readConfig(vars: EnvVars): AppConfig {
  const mode = str(vars, 'APP_ENV') ?? 'development'
  if (mode !== 'development' && mode !== 'production' && mode !== 'test') {
    throw new Error(`APP_ENV must be development, production or test (got "${mode}")`)
  }
  const lang = str(vars, 'DEFAULT_LANG') ?? 'en'
  return {
    mode,
    defaultLang: isLang(lang) ? lang : 'en',
    databaseUrl: str(vars, 'DATABASE_URL'),
    publicUrl: str(vars, 'PUBLIC_URL')?.replace(/\/+$/, ''),
    darajaBaseUrl: str(vars, 'DARAJA_BASE_URL'),
    databasePoolMax: Math.max(1, Math.min(200, Number(str(vars, 'DATABASE_POOL_MAX') ?? 20) || 20)),
    holdsPerClient: count(vars, 'HOLDS_PER_CLIENT'),
    holdsPerPhone: count(vars, 'HOLDS_PER_PHONE'),
    maxTicketsPerEvent: count(vars, 'MAX_TICKETS_PER_EVENT', 1),
  }
}
