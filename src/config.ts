/**
 * Configuration from environment variables (Deno.env or Worker bindings), read once at start-up.
 * Secrets only ever come from here: every variable is read through `envText`, by `readConfig`, by
 * `readServerConfig` (the Deno server's own) or by a port's `…FromEnv` (Google, QStash, S3, Upstash).
 */
import { isLang, type Lang } from './i18n/index.ts'

export type AppMode = 'development' | 'production' | 'test'

export interface AppConfig {
  mode: AppMode
  defaultLang: Lang
  /** postgres:// URL; absent means the embedded database. */
  databaseUrl?: string
  /**
   * The public origin (e.g. https://tikiti.example) for links in messages, callback URLs and the CSRF
   * check; read it through publicOrigin (src/http/public-origin.ts). readConfig always sets it when
   * serving: PUBLIC_URL, required in production, else `http://localhost:${PORT}`.
   */
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
  /** WAITING_ROOM_SECRET: signs waiting-room admissions (HMAC); outside production a fixed stand-in. */
  waitingRoomSecret?: string
  /** WAITING_ROOM_ADMISSIONS_PER_MINUTE: the queue's default rate; default in src/waitroom/admission.ts. */
  admissionsPerMinute?: number
  /** HOLD_GROUP_COMMIT: holds of one event arriving together share one transaction (src/tickets/hold-group-commit.ts); on unless `off`. */
  holdGroupCommit?: boolean
  /** HOLD_GROUP_COMMIT_MS: how long a group waits for more holds after its first. */
  holdGroupCommitMs?: number
}

export type EnvVars = Record<string, unknown>

/** The one reader of an environment variable: its text, or undefined when unset, empty or not text. */
export function envText(vars: EnvVars, name: string): string | undefined {
  const value = vars[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

/** A whole number of at least `min`, or undefined when unset (the feature's default applies). */
function count(vars: EnvVars, name: string, min = 0): number | undefined {
  const text = envText(vars, name)
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) < min) throw new Error(`${name} must be a whole number of at least ${min} (got "${text}")`)
  return Number(text)
}

/** `on` or `off` (also true/false, 1/0), or undefined when unset. */
function onOff(vars: EnvVars, name: string): boolean | undefined {
  const text = envText(vars, name)?.toLowerCase()
  if (text === undefined) return undefined
  if (text === 'on' || text === 'true' || text === '1') return true
  if (text === 'off' || text === 'false' || text === '0') return false
  throw new Error(`${name} must be on or off (got "${text}")`)
}

/**
 * PUBLIC_URL as an origin. Production refuses to start without it: the Host header must never say where
 * a password-reset link or an M-Pesa callback goes. Elsewhere the local server's own address stands in.
 * Maintenance commands (migrate, seed) build no links, so they need none.
 */
function readPublicUrl(vars: EnvVars, mode: AppMode, serving: boolean): string | undefined {
  const value = envText(vars, 'PUBLIC_URL')
  if (value) {
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new Error(`PUBLIC_URL must be an http(s) origin such as https://tikiti.example (got "${value}")`)
    }
    return url.origin
  }
  if (mode !== 'production') return `http://localhost:${envText(vars, 'PORT') ?? '8000'}`
  if (!serving) return undefined
  throw new Error('PUBLIC_URL must be set in production (e.g. PUBLIC_URL=https://tikiti.example): links in emails ' +
    'and M-Pesa callback URLs are built from it, never from the Host header')
}

export interface ReadConfigOptions {
  /** False for maintenance commands (migrate, seed), which serve nothing and need no PUBLIC_URL. */
  serving?: boolean
}

export function readConfig(vars: EnvVars, options: ReadConfigOptions = {}): AppConfig {
  const mode = envText(vars, 'APP_ENV') ?? 'development'
  if (mode !== 'development' && mode !== 'production' && mode !== 'test') {
    throw new Error(`APP_ENV must be development, production or test (got "${mode}")`)
  }
  const lang = envText(vars, 'DEFAULT_LANG') ?? 'en'
  return {
    mode,
    defaultLang: isLang(lang) ? lang : 'en',
    databaseUrl: envText(vars, 'DATABASE_URL'),
    publicUrl: readPublicUrl(vars, mode, options.serving ?? true),
    darajaBaseUrl: envText(vars, 'DARAJA_BASE_URL'),
    databasePoolMax: Math.max(1, Math.min(200, Number(envText(vars, 'DATABASE_POOL_MAX') ?? 20) || 20)),
    holdsPerClient: count(vars, 'HOLDS_PER_CLIENT'),
    holdsPerPhone: count(vars, 'HOLDS_PER_PHONE'),
    maxTicketsPerEvent: count(vars, 'MAX_TICKETS_PER_EVENT', 1),
    waitingRoomSecret: envText(vars, 'WAITING_ROOM_SECRET'),
    admissionsPerMinute: count(vars, 'WAITING_ROOM_ADMISSIONS_PER_MINUTE', 1),
    holdGroupCommit: onOff(vars, 'HOLD_GROUP_COMMIT'),
    holdGroupCommitMs: count(vars, 'HOLD_GROUP_COMMIT_MS'),
  }
}

/** What only the Deno server reads: where it listens, where the embedded database lives, the simulator. */
export interface ServerConfig {
  port: number
  host: string
  /**
   * TRUST_PROXY: how many reverse proxies of ours stand in front (0: none). The client address is then
   * the X-Forwarded-For entry that many places from the right (src/http/client-address.ts).
   */
  proxyHops: number
  /** The embedded database's folder (its secrets key file sits next to it). */
  dataDir: string
  /** Outside production and without DARAJA_BASE_URL, the Daraja simulator stands in for Safaricom. */
  darajaSimulator: boolean
  darajaSimulatorPort: number
  /** SECRETS_KEYS: keys for secrets at rest, `id:base64key[,older…]`. */
  secretsKeys?: string
}

/** TRUST_PROXY: `true` is one proxy, a whole number says how many, `false` or `0` (the default) none. */
function readProxyHops(vars: EnvVars): number {
  const text = envText(vars, 'TRUST_PROXY') ?? 'false'
  if (text === 'true') return 1
  if (text === 'false') return 0
  if (/^\d+$/.test(text)) return Number(text)
  throw new Error(`TRUST_PROXY must be true, false or the number of proxies in front of the server (got "${text}")`)
}

export function readServerConfig(vars: EnvVars, config: AppConfig): ServerConfig {
  const port = Number(envText(vars, 'PORT') ?? 8000)
  return {
    port,
    host: envText(vars, 'HOST') ?? '0.0.0.0',
    proxyHops: readProxyHops(vars),
    dataDir: envText(vars, 'DATA_DIR') ?? '.data/pglite',
    darajaSimulator: !config.darajaBaseUrl && config.mode !== 'production' && envText(vars, 'DARAJA_SIMULATOR') !== 'off',
    darajaSimulatorPort: Number(envText(vars, 'DARAJA_SIMULATOR_PORT') ?? port + 1),
    secretsKeys: envText(vars, 'SECRETS_KEYS'),
  }
}
