/**
 * One way to do each thing: the API's error shape, reading the environment and calling outside
 * services each have one helper, and no second copy grows elsewhere in src/.
 */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SRC, sourceFiles } from '../support/source-files.ts'
import { envText, readConfig, readServerConfig } from '../../src/config.ts'
import { qstashConfigFromEnv } from '../../src/jobs/qstash.ts'


/** A file's code without its comments (roughly: enough for these checks). */
function codeOf(path: string): string {
  return readFileSync(join(SRC, path), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
}

/** The files of src/ (but `only`) whose code matches `pattern`. */
function filesMatching(pattern: RegExp, only: string): string[] {
  return sourceFiles().map((path) => relative(SRC, path)).filter((path) => path !== only && pattern.test(codeOf(path)))
}

describe('one helper each', () => {
  it('builds every JSON error answer with apiError (src/http/api.ts)', () => {
    expect(sourceFiles().length).toBeGreaterThan(50)
    expect(filesMatching(/\{\s*error:\s*\{\s*code:/, 'http/api.ts')).toEqual([])
  })

  it('reads environment variables only through src/config.ts', () => {
    // the entries hand Deno.env.toObject() or the Worker's bindings to config.ts; nothing else reads them
    // (HYPERDRIVE is a Worker binding, an object, not a variable)
    expect(filesMatching(/Deno\.env\.get|process\.env|typeof vars\[|vars\.[A-Z_]+|env\.(?!HYPERDRIVE)[A-Z][A-Z_]+\b/, 'config.ts')).toEqual([])
  })

  it('types and defaults fetch for outside services only in src/lib/fetch.ts', () => {
    expect(filesMatching(/type FetchFn\s*=|=>\s*fetch\(input, init\)/, 'lib/fetch.ts')).toEqual([])
  })
})

describe('reading the configuration', () => {
  it('reads PUBLIC_URL only in config.ts: QStash delivers to the configured public origin', () => {
    const vars = { QSTASH_TOKEN: 't', QSTASH_CURRENT_SIGNING_KEY: 'c', QSTASH_NEXT_SIGNING_KEY: 'n', PUBLIC_URL: 'https://elsewhere.example' }
    expect(qstashConfigFromEnv(vars, { publicUrl: 'https://tikiti.example' })?.destination).toBe('https://tikiti.example/jobs/qstash')
    expect(qstashConfigFromEnv(vars, {})).toBeUndefined()
    expect(filesMatching(/envText\([^)]*['"]PUBLIC_URL['"]/, 'config.ts')).toEqual([])
  })

  it('takes only non-empty text', () => {
    expect([envText({ A: 'x' }, 'A'), envText({ A: '' }, 'A'), envText({ A: 42 }, 'A'), envText({}, 'A')]).toEqual(['x', undefined, undefined, undefined])
  })

  it('gives the Deno server its settings, with the simulator only outside production and without DARAJA_BASE_URL', () => {
    const dev = readConfig({})
    expect(readServerConfig({}, dev)).toEqual({
      port: 8000, host: '0.0.0.0', proxyHops: 0, dataDir: '.data/pglite', darajaSimulator: true, darajaSimulatorPort: 8001,
      secretsKeys: undefined,
    })
    expect(readServerConfig({ PORT: '8140', TRUST_PROXY: 'true', DATA_DIR: '/tmp/x', DARAJA_SIMULATOR: 'off' }, dev))
      .toMatchObject({ port: 8140, proxyHops: 1, dataDir: '/tmp/x', darajaSimulator: false, darajaSimulatorPort: 8141 })
    expect(readServerConfig({}, readConfig({ APP_ENV: 'production', PUBLIC_URL: 'https://tikiti.example' })).darajaSimulator).toBe(false)
    expect(readServerConfig({}, readConfig({ DARAJA_BASE_URL: 'http://127.0.0.1:9' })).darajaSimulator).toBe(false)
  })

  it('reads TRUST_PROXY as the number of our own proxies in front: true is one, a number says how many', () => {
    const dev = readConfig({})
    const hops = (value?: string) => readServerConfig(value === undefined ? {} : { TRUST_PROXY: value }, dev).proxyHops
    expect([hops(), hops('false'), hops('0'), hops('true'), hops('1'), hops('2'), hops('10')]).toEqual([0, 0, 0, 1, 1, 2, 10])
    for (const value of ['yes', 'TRUE', '-1', '1.5', ' 2', '2 proxies']) {
      expect(() => hops(value), value).toThrow(/TRUST_PROXY must be true, false or the number of proxies/)
    }
  })

  it('takes the client address only through clientAddress (src/http/client-address.ts)', () => {
    expect(codeOf('platform/deno/main.ts')).toMatch(/clientAddress\(c\.req\.header\('x-forwarded-for'\), getConnInfo\(c\)\.remote\.address, settings\.proxyHops\)/)
    expect(filesMatching(/x-forwarded-for/i, 'http/client-address.ts').filter((path) => path !== 'platform/deno/main.ts')).toEqual([])
  })
})
