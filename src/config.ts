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
  /** Public origin for links in emails (e.g. https://tikiti.example); default: the request's origin. */
  publicUrl?: string
  /** Replaces the Daraja host for every tenant (a simulator or test server). */
  darajaBaseUrl?: string
  /** The Daraja simulator's phone page, when the simulator stands in for Daraja (development). */
  simulatedPhoneUrl?: string
  /** Connections in the Deno server's Postgres pool. */
  databasePoolMax: number
}

export type EnvVars = Record<string, unknown>

/** The one reader of an environment variable: its text, or undefined when unset, empty or not text. */
export function envText(vars: EnvVars, name: string): string | undefined {
  const value = vars[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

export function readConfig(vars: EnvVars): AppConfig {
  const mode = envText(vars, 'APP_ENV') ?? 'development'
  if (mode !== 'development' && mode !== 'production' && mode !== 'test') {
    throw new Error(`APP_ENV must be development, production or test (got "${mode}")`)
  }
  const lang = envText(vars, 'DEFAULT_LANG') ?? 'en'
  return {
    mode,
    defaultLang: isLang(lang) ? lang : 'en',
    databaseUrl: envText(vars, 'DATABASE_URL'),
    publicUrl: envText(vars, 'PUBLIC_URL')?.replace(/\/+$/, ''),
    darajaBaseUrl: envText(vars, 'DARAJA_BASE_URL'),
    databasePoolMax: Math.max(1, Math.min(200, Number(envText(vars, 'DATABASE_POOL_MAX') ?? 20) || 20)),
  }
}

/** What only the Deno server reads: where it listens, where the embedded database lives, the simulator. */
export interface ServerConfig {
  port: number
  host: string
  /** Behind a reverse proxy: take the client address from its X-Forwarded-For. */
  trustProxy: boolean
  /** The embedded database's folder (its secrets key file sits next to it). */
  dataDir: string
  /** Outside production and without DARAJA_BASE_URL, the Daraja simulator stands in for Safaricom. */
  darajaSimulator: boolean
  darajaSimulatorPort: number
  /** SECRETS_KEYS: keys for secrets at rest, `id:base64key[,older…]`. */
  secretsKeys?: string
}

export function readServerConfig(vars: EnvVars, config: AppConfig): ServerConfig {
  const port = Number(envText(vars, 'PORT') ?? 8000)
  return {
    port,
    host: envText(vars, 'HOST') ?? '0.0.0.0',
    trustProxy: envText(vars, 'TRUST_PROXY') === 'true',
    dataDir: envText(vars, 'DATA_DIR') ?? '.data/pglite',
    darajaSimulator: !config.darajaBaseUrl && config.mode !== 'production' && envText(vars, 'DARAJA_SIMULATOR') !== 'off',
    darajaSimulatorPort: Number(envText(vars, 'DARAJA_SIMULATOR_PORT') ?? port + 1),
    secretsKeys: envText(vars, 'SECRETS_KEYS'),
  }
}
