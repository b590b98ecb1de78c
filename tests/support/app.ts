import { createApp } from '../../src/app.ts'
import type { AppConfig } from '../../src/config.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'

export const TEST_CONFIG: AppConfig = { mode: 'test', defaultLang: 'en' }

export interface TestAppOptions {
  now?: () => Date
  log?: (line: string) => void
}

/** The real app over a test database; log lines are kept instead of printed. */
export function createTestApp(db: Database, options: TestAppOptions = {}) {
  const lines: string[] = []
  const app = createApp({
    config: TEST_CONFIG,
    database: sharedDatabase(db),
    clock: options.now,
    log: options.log ?? ((line) => lines.push(line)),
  })
  return { app, logLines: lines }
}
