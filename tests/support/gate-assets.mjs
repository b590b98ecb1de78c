// Builds the scanner page's browser files in static/assets/ and names each by its content's hash:
//   signed-code-<hash>.js  src/tickets/signed-code.ts with its types stripped (the server's verifier, as is)
//   gate-worker-<hash>.js  jsQR (minified) and the few lines that decode one camera crop per message
//   gate-<hash>.js, gate-sw-<hash>.js  the page's script and its service worker, renamed after an edit
// Then it points src/http/static-assets.ts at the new names. Run: node tests/support/gate-assets.mjs
// (tests/http/gate-assets.test.ts fails when a file and its source disagree.)
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'

const ROOT = join(import.meta.dirname, '../..')
const ASSETS_DIR = join(ROOT, 'static/assets')
const REGISTRY = join(ROOT, 'src/http/static-assets.ts')

export const WORKER_TAIL = `
// Decodes one downscaled camera crop per message, off the page's thread.
self.onmessage = (e) => {
  const found = jsQR(e.data.data, e.data.w, e.data.h, { inversionAttempts: 'dontInvert' })
  self.postMessage(found ? found.data : null)
}
`

export const hashOf = (text) => createHash('sha256').update(text).digest('hex').slice(0, 10)

/** signed-code.ts as the browser runs it: the same code, types erased, nothing else changed. */
export function browserSignedCode() {
  const source = readFileSync(join(ROOT, 'src/tickets/signed-code.ts'), 'utf8')
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: false } }).outputText
}

export async function browserWorker() {
  const { transform } = await import('esbuild')
  const jsqr = readFileSync(join(ROOT, 'node_modules/jsqr/dist/jsQR.js'), 'utf8')
  const { code } = await transform(jsqr, { minify: true, target: 'es2018' })
  return code + WORKER_TAIL
}

function replaceAsset(prefix, content) {
  const name = `${prefix}-${hashOf(content)}.js`
  for (const old of readdirSync(ASSETS_DIR).filter((f) => new RegExp(`^${prefix}-[0-9a-f]{10}\\.js$`).test(f) && f !== name)) unlinkSync(join(ASSETS_DIR, old))
  writeFileSync(join(ASSETS_DIR, name), content)
  const registry = readFileSync(REGISTRY, 'utf8').replace(new RegExp(`/assets/${prefix}-[0-9a-f]{10}\\.js`), `/assets/${name}`)
  writeFileSync(REGISTRY, registry)
  return name
}

/** An edited page script keeps its old name until renamed here. */
function current(prefix) {
  const found = readdirSync(ASSETS_DIR).filter((f) => new RegExp(`^${prefix}(-[0-9a-f]{10})?\\.js$`).test(f))
  if (found.length !== 1) throw new Error(`expected one ${prefix}-*.js in static/assets, found ${found.join(', ') || 'none'}`)
  const content = readFileSync(join(ASSETS_DIR, found[0]), 'utf8')
  if (!/-[0-9a-f]{10}\.js$/.test(found[0])) renameSync(join(ASSETS_DIR, found[0]), join(ASSETS_DIR, `${prefix}-0000000000.js`))
  return content
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const built = [
    replaceAsset('signed-code', browserSignedCode()),
    replaceAsset('gate-worker', await browserWorker()),
    replaceAsset('gate-sw', current('gate-sw')),
    replaceAsset('gate-check', current('gate-check')),
    replaceAsset('gate', current('gate')),
  ]
  console.log(built.join('\n'))
}
