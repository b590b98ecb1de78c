/** The app's own source files, for the tests that read the code itself (one way to do each thing, layers). */
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export const SRC = new URL('../../src/', import.meta.url).pathname

/** Absolute paths of every .ts and .tsx file under `dir` (default: src/). */
export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(name) ? [path] : []
  })
}
