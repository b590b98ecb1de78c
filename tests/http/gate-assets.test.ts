import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { ASSETS, SERVICE_WORKER_SCOPE } from '../../src/http/static-assets.ts'
import { createTestApp, STATIC_ROOT } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
// @ts-expect-error a plain .mjs tool without types
import { browserEd25519, browserSignedCode, browserWorker, hashOf } from '../support/gate-assets.mjs'

const committed = (url: string) => readFileSync(join(STATIC_ROOT, url), 'utf8')
const rebuild = 'run `node tests/support/gate-assets.mjs`'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
})
afterAll(() => db.destroy())

describe("the scanner page's browser files", () => {
  it('the browser verifies with the server’s own signed-code.ts, types stripped and nothing else', async () => {
    expect(committed(ASSETS.signedCode), `static${ASSETS.signedCode} is not src/tickets/signed-code.ts: ${rebuild}`).toBe(browserSignedCode())
    const module = await import(join(STATIC_ROOT, ASSETS.signedCode)) as typeof import('../../src/tickets/signed-code.ts')
    expect(Object.keys(module).sort()).toEqual(Object.keys(await import('../../src/tickets/signed-code.ts')).sort())
  })

  it('the decoding worker is the installed jsQR plus its handler', async () => {
    expect(committed(ASSETS.gateWorker) === await browserWorker(), `static${ASSETS.gateWorker} is stale: ${rebuild}`).toBe(true)
  })

  it('the Ed25519 fallback is the installed @noble/curves', async () => {
    expect(committed(ASSETS.ed25519) === await browserEd25519(), `static${ASSETS.ed25519} is stale: ${rebuild}`).toBe(true)
  })

  it('every file is named by its content, and the page’s own scripts stay small', () => {
    for (const name of ['gate', 'gateSw', 'gateCheck', 'signedCode', 'gateWorker', 'ed25519'] as const) {
      const url = ASSETS[name]
      expect(url, `${url}: ${rebuild}`).toMatch(new RegExp(`-${hashOf(committed(url))}\\.js$`))
    }
    expect(gzipSync(committed(ASSETS.gate)).length).toBeLessThan(6_000)
    expect(gzipSync(committed(ASSETS.gateSw)).length).toBeLessThan(1_500)
  })

  it('serves the service worker with the scope of the scanner pages, on Deno and in Workers’ _headers', async () => {
    const res = await app.request(ASSETS.gateSw)
    expect(res.status).toBe(200)
    expect(res.headers.get('service-worker-allowed')).toBe(SERVICE_WORKER_SCOPE)
    expect((await app.request(ASSETS.gate)).headers.get('service-worker-allowed')).toBeNull()
    expect(readFileSync(join(STATIC_ROOT, '_headers'), 'utf8')).toContain(`/assets/gate-sw-*\n  Service-Worker-Allowed: ${SERVICE_WORKER_SCOPE}`)
  })
})
