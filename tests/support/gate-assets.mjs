// Builds the scanner page's browser files in static/assets/ and names each by its content's hash:
//   signed-code-<hash>.js  src/tickets/signed-code.ts with its types stripped (the server's verifier, as is)
//   gate-worker-<hash>.js  jsQR (minified) and the few lines that decode one camera crop per message
//   ed25519-<hash>.js      @noble/curves' Ed25519 behind crypto.subtle, for browsers without WebCrypto Ed25519
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

// Browsers without WebCrypto Ed25519 (Chrome before 137) get it from @noble/curves, behind the same
// crypto.subtle calls, so signed-code.ts runs unchanged. Strict RFC 8032 checks, as WebCrypto does.
const ED25519_SOURCE = `
import { ed25519 } from '@noble/curves/ed25519.js'
const isEd = (a) => a === 'Ed25519' || (a && a.name === 'Ed25519')
/** Routes Ed25519 raw-key imports and verifications of crypto.subtle to @noble/curves; returns the undo. */
export function install() {
  const subtle = crypto.subtle, importKey = subtle.importKey, verify = subtle.verify, raw = new WeakMap()
  subtle.importKey = async function (format, data, alg, extractable, usages) {
    if (!isEd(alg) || format !== 'raw') return importKey.call(subtle, format, data, alg, extractable, usages)
    const key = Object.freeze({ type: 'public', algorithm: { name: 'Ed25519' }, extractable, usages })
    raw.set(key, new Uint8Array(data))
    return key
  }
  subtle.verify = async function (alg, key, signature, data) {
    if (!raw.has(key)) return verify.call(subtle, alg, key, signature, data)
    try { return ed25519.verify(new Uint8Array(signature), new Uint8Array(data), raw.get(key), { zip215: false }) } catch { return false }
  }
  return () => { subtle.importKey = importKey; subtle.verify = verify }
}
`

export async function browserEd25519() {
  const { build } = await import('esbuild')
  const out = await build({
    stdin: { contents: ED25519_SOURCE, resolveDir: ROOT, loader: 'js' }, bundle: true, format: 'esm', minify: true,
    target: 'es2020', write: false, legalComments: 'none',
  })
  return out.outputFiles[0].text
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
    replaceAsset('ed25519', await browserEd25519()),
    replaceAsset('gate-sw', current('gate-sw')),
    replaceAsset('gate-check', current('gate-check')),
    replaceAsset('gate', current('gate')),
  ]
  console.log(built.join('\n'))
}
