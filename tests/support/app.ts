import { serveStatic } from '@hono/node-server/serve-static'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createApp, type AppDeps } from '../../src/app.ts'
import type { AppConfig } from '../../src/config.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'
import { createMemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.ts'

export const TEST_CONFIG: AppConfig = { mode: 'test', defaultLang: 'en', databasePoolMax: 8 }

/** static/, served as the Deno server serves it. */
export const STATIC_ROOT = join(import.meta.dirname, '../../static')

export interface TestAppOptions {
  now?: () => Date
  log?: (line: string) => void
  /** Anything else the app takes (secret keys, a Daraja fetch, config). */
  deps?: Partial<AppDeps>
}

/** The real app over a test database; log lines are kept instead of printed. */
export function createTestApp(db: Database, options: TestAppOptions = {}) {
  const lines: string[] = []
  const app = createApp({
    config: TEST_CONFIG,
    database: sharedDatabase(db),
    clock: options.now,
    compressResponses: true, // as the Deno server does
    gzip: (bytes) => gzipSync(bytes),
    staticFiles: serveStatic({ root: STATIC_ROOT }), // as the Deno server does (Workers: assets)
    // rate limits follow the same clock, so tests can wait out a window without sleeping
    rateLimiter: createMemoryRateLimiter(options.now ? { now: () => options.now!().getTime() } : {}),
    log: options.log ?? ((line) => lines.push(line)),
    ...options.deps,
  })
  return { app, logLines: lines }
}
