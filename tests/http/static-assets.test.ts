import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { ASSETS, IMMUTABLE } from '../../src/http/static-assets.ts'
import { createTestApp, STATIC_ROOT } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'

const root = join(import.meta.dirname, '../..')
const committed = (url: string) => readFileSync(join(STATIC_ROOT, url))

let db: Database
let app: ReturnType<typeof createTestApp>['app']
beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
})
afterAll(() => db.destroy())

describe('browser files in static/assets/', () => {
  it('htmx and Alpine are the copies of the installed packages, named by their versions', () => {
    const packages = {
      htmx: ['htmx.org', 'dist/htmx.min.js'],
      alpine: ['@alpinejs/csp', 'dist/cdn.min.js'],
    } as const
    for (const [asset, [name, file]] of Object.entries(packages)) {
      const dir = join(root, 'node_modules', name)
      const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }
      const url = ASSETS[asset as keyof typeof packages]
      expect(url, `${name} ${version}: copy ${file} to static${url.replace(/[\d.]+\.min\.js$/, `${version}.min.js`)}`).toContain(`-${version}.min.js`)
      expect(committed(url).equals(readFileSync(join(dir, file))), `static${url} differs from ${name}/${file}`).toBe(true)
    }
  })

  it('our own file is named by its content, so every change is a new URL', () => {
    const content = committed(ASSETS.tikiti)
    const hash = createHash('sha256').update(content).digest('hex').slice(0, 10)
    expect(ASSETS.tikiti, `rename it to tikiti-${hash}.js (and say so in src/http/static-assets.ts)`).toBe(`/assets/tikiti-${hash}.js`)
    expect(content.length).toBeLessThan(2500) // it loads on buyers' 2G pages
  })

  it('are served with immutable caching and the security headers; Workers assets say the same in _headers', async () => {
    for (const url of Object.values(ASSETS)) {
      const res = await app.request(url)
      expect(res.status, url).toBe(200)
      expect(res.headers.get('cache-control'), url).toBe(IMMUTABLE)
      expect(res.headers.get('content-type'), url).toMatch(/javascript/)
      expect(res.headers.get('x-content-type-options'), url).toBe('nosniff')
      expect(res.headers.get('content-security-policy'), url).toContain("default-src 'none'")
    }
    expect((await app.request('/assets/no-such-file.js')).status).toBe(404)
    const robots = await app.request('/robots.txt')
    expect(robots.status).toBe(200)
    expect(robots.headers.get('cache-control')).not.toBe(IMMUTABLE)
    const workersHeaders = readFileSync(join(STATIC_ROOT, '_headers'), 'utf8')
    expect(workersHeaders).toMatch(new RegExp(`^/assets/\\*\\n  Cache-Control: ${IMMUTABLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'))
  })
})
