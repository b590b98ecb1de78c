/**
 * Layers, read from the import graph of src/: services and queries throw domain errors and know no view,
 * renderer or HTTP error mapping; the Hono environment and the services bag are types that import no
 * middleware. Only route modules, the HTTP layer and the app's assembly may reach for views.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = new URL('../../', import.meta.url).pathname
const SRC = join(ROOT, 'src')

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : []
  })
}

/** What a file imports (or re-exports from): repository paths for relative specifiers, package names else. */
function importsOf(repoPath: string): string[] {
  const code = readFileSync(join(ROOT, repoPath), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const specifiers = [...code.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)]
    .map((match) => match[1] ?? match[2] ?? '')
  return specifiers.map((specifier) =>
    specifier.startsWith('.') ? relative(ROOT, resolve(dirname(join(ROOT, repoPath)), specifier)) : specifier)
}

const RENDERING = (target: string) =>
  target.startsWith('views/') || target === 'src/http/render.tsx' || target === 'src/http/errors.tsx'

/** Its imports that render or map errors to HTTP answers. */
const renderingImportsOf = (repoPath: string) => importsOf(repoPath).filter(RENDERING)

/**
 * Services, queries and the other domain modules: the `.ts` files of src/ except route modules, the HTTP
 * layer, the app's assembly, the runtime entries, and the Daraja simulator's phone page (it mounts the
 * simulator's own routes). A `.tsx` file renders (JSX): it is on the HTTP side, with the routes.
 */
function domainModules(): string[] {
  return sourceFiles().map((path) => relative(ROOT, path)).filter((path) => path.endsWith('.ts') &&
    !/routes[^/]*$/.test(path) && !path.startsWith('src/http/') && path !== 'src/app.ts' &&
    !path.startsWith('src/platform/') && path !== 'src/payments/simulator/phone-page.ts')
}

describe('layers', () => {
  it('sees the imports that render (the check can fail)', () => {
    expect(renderingImportsOf('src/http/errors.tsx')).toEqual(['views/errors/error-page.tsx', 'src/http/render.tsx'])
    expect(importsOf('src/lib/domain-errors.ts')).toEqual(['hono/utils/http-status', 'src/i18n/index.ts'])
  })

  it('keeps domain errors free of views, rendering and the HTTP layer', () => {
    expect(importsOf('src/lib/domain-errors.ts').filter((target) => RENDERING(target) || target.startsWith('src/http/'))).toEqual([])
  })

  it('lets no service or query module import a view, the renderer or the HTTP error mapping', () => {
    const modules = domainModules()
    expect(modules.length).toBeGreaterThan(60)
    expect(modules).toContain('src/payments/checkout-service.ts')
    expect(modules).toContain('src/events/queries.ts')
    expect(modules.filter((path) => renderingImportsOf(path).length > 0)).toEqual([])
  })

  it('types the Hono environment and the services bag without importing a middleware module', () => {
    const middleware = sourceFiles().map((path) => relative(ROOT, path))
      .filter((path) => /createMiddleware\(/.test(readFileSync(join(ROOT, path), 'utf8')))
    expect(middleware).toContain('src/accounts/current-user.ts')
    for (const typesModule of ['src/http/app-env.ts', 'src/services.ts']) {
      expect(importsOf(typesModule).filter((target) => middleware.includes(target))).toEqual([])
    }
    expect(importsOf('src/services.ts').filter((target) => target.startsWith('src/http/'))).toEqual([])
  })
})
