/** Liveness with a database round trip: 200 when Postgres answers, 503 when it does not. */
import { factory } from '../http/factory.ts'
import { pingDatabase } from './queries.ts'

const HEALTH_TIMEOUT_MS = 3000

export const healthRoutes = factory.createApp()

healthRoutes.get('/healthz', async (c) => {
  c.header('Cache-Control', 'no-store')
  try {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('database health check timed out')), HEALTH_TIMEOUT_MS)
    })
    await Promise.race([pingDatabase(c.var.db), timeout]).finally(() => clearTimeout(timer))
    return c.json({ status: 'ok', database: 'ok' })
  } catch {
    return c.json({ status: 'unavailable', database: 'unreachable' }, 503)
  }
})
