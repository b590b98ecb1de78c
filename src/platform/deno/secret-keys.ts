/**
 * SECRETS_KEYS from the environment. In development without it, a key is made once and kept in
 * `.data/pglite-secrets.keys` (next to the embedded database, never committed) so the demo can store M-Pesa
 * credentials; production without SECRETS_KEYS simply cannot store them.
 */
import type { AppMode, ServerConfig } from '../../config.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../lib/secret-box.ts'

export async function loadSecretKeys(server: ServerConfig, mode: AppMode): Promise<KeyRing | undefined> {
  if (server.secretsKeys) return parseKeyRing(server.secretsKeys)
  if (mode === 'production') return undefined
  const file = `${server.dataDir}-secrets.keys`
  let entry: string
  try {
    entry = (await Deno.readTextFile(file)).trim()
  } catch {
    entry = newKeyEntry('dev1')
    const folder = file.slice(0, file.lastIndexOf('/'))
    if (folder) await Deno.mkdir(folder, { recursive: true })
    await Deno.writeTextFile(file, `${entry}\n`, { mode: 0o600 })
  }
  return parseKeyRing(entry)
}
