/**
 * Layers: a route module (a file of src/ named *routes*) is mounted by src/app.ts and imported by
 * nothing else; what two routes share lives in a service, a query function or a page helper. Route
 * modules hold no SQL either: queries are functions taking `db | trx` in the feature's queries module.
 */
import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SRC, sourceFiles } from '../support/source-files.ts'

const isRouteModule = (path: string) => /routes[^/]*\.tsx?$/.test(path)

/** The files of src/ a file imports (static, dynamic and type-only), relative to src/. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8')
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!)
  return specifiers.map((specifier) => relative(SRC, resolve(dirname(path), specifier)))
}

const files = sourceFiles()
const routeModules = files.map((path) => relative(SRC, path)).filter(isRouteModule)

describe('route modules', () => {
  it('finds the route modules, and the app mounts every one of them', () => {
    expect(routeModules.length).toBeGreaterThan(15)
    const mounted = importsOf(join(SRC, 'app.ts'))
    expect(routeModules.filter((module) => !mounted.includes(module))).toEqual([])
  })

  it('are imported by src/app.ts only', () => {
    const offenders = files.filter((path) => relative(SRC, path) !== 'app.ts')
      .flatMap((path) => importsOf(path).filter(isRouteModule).map((module) => `${relative(SRC, path)} imports ${module}`))
    expect(offenders).toEqual([])
  })

  it('hold no SQL: no Kysely query builder and no sql`…` in a route module', () => {
    const sqlInCode = /\b(selectFrom|updateTable|insertInto|deleteFrom|selectNoFrom|mergeInto)\s*\(|\bsql\s*(<[^>]*>)?\s*`/
    const offenders = routeModules.filter((module) => sqlInCode.test(readFileSync(join(SRC, module), 'utf8')))
    expect(offenders).toEqual([])
    // the pattern itself sees both forms
    expect(sqlInCode.test("trx.selectFrom('events')")).toBe(true)
    expect(sqlInCode.test('sql<number>`count(*)`')).toBe(true)
  })
})
