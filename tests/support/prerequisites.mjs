#!/usr/bin/env node
/**
 * What `npm test` needs beyond npm packages, on a machine with only Node and npm (Debian): Debian's
 * `chromium` for the browser tests and `redis-server` for the Upstash rate-limiter tests.
 *
 * Run as a script (npm's `pretest`, and `.ci/run`), it installs whichever is missing with apt-get when it
 * may (as root, or through sudo without a password) and otherwise stops with the exact command to run.
 * Vitest's global setup calls `startRedisIfNeeded` so a run that finds nothing on 127.0.0.1:6379 starts
 * its own redis-server (daemonized, nothing written to disk) and stops it when the run ends; this works
 * for `npx vitest run <file>` too.
 *
 * Overrides (also how the messages are checked without uninstalling anything): CHROMIUM_PATH (a
 * Chromium binary), TEST_REDIS_URL (a Redis that is already running), TEST_REDIS_SERVER (the
 * redis-server binary), TEST_APT_GET (the apt-get binary).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readFileSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, isAbsolute, join } from 'node:path'
import { pathToFileURL } from 'node:url'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const REDIS_SERVER = process.env.TEST_REDIS_SERVER ?? 'redis-server'
const APT_GET = process.env.TEST_APT_GET ?? 'apt-get'

/** The full path of an executable (a path as given, or a name looked up on PATH), or null. */
function executable(name) {
  const candidates = isAbsolute(name) || name.includes('/')
    ? [name]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {}
  }
  return null
}

/** True when Redis at `url` answers PING within a second. */
export function redisAnswers(url = REDIS_URL) {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) })
    const done = (answer) => {
      socket.destroy()
      resolve(answer)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

/** How this process may run apt-get: directly (root), through `sudo -n` (no password), or not at all. */
function aptRunner() {
  const apt = executable(APT_GET)
  if (!apt) return { ok: false, why: `there is no ${APT_GET} here` }
  if (process.getuid?.() === 0) return { ok: true, run: (args) => [apt, args] }
  const sudo = executable('sudo')
  if (!sudo) return { ok: false, why: 'this user is not root and there is no sudo' }
  if (spawnSync(sudo, ['-n', 'true'], { stdio: 'ignore' }).status === 0) {
    return { ok: true, run: (args) => [sudo, ['-n', apt, ...args]] }
  }
  return { ok: false, why: 'this user is not root and sudo asks for a password' }
}

/** The Debian packages this machine lacks, with what each is for. */
async function missingPackages() {
  const missing = []
  if (!existsSync(CHROMIUM_PATH)) missing.push({ name: 'chromium', why: `the browser tests drive Chromium at ${CHROMIUM_PATH}` })
  if (!executable(REDIS_SERVER) && !(await redisAnswers())) {
    missing.push({ name: 'redis-server', why: `the Upstash rate-limiter tests need Redis at ${REDIS_URL}` })
  }
  return missing
}

function cannot(missing, why) {
  const names = missing.map((item) => item.name).join(' ')
  return [
    `npm test needs ${missing.map((item) => `${item.name} (${item.why})`).join(' and ')},`,
    `and cannot install ${missing.length > 1 ? 'them' : 'it'}: ${why}. Run:`,
    '',
    `  sudo apt-get update && sudo apt-get install -y ${names}`,
    '',
    'then `npm test` again (or set CHROMIUM_PATH to a Chromium binary, TEST_REDIS_URL to a running Redis).',
  ].join('\n')
}

/** Installs what is missing, or throws with the command a person must run. */
export async function installMissing(log = console.log) {
  const missing = await missingPackages()
  if (missing.length === 0) return []
  const apt = aptRunner()
  if (!apt.ok) throw new Error(cannot(missing, apt.why))
  const names = missing.map((item) => item.name)
  log(`Installing ${names.join(' and ')} for the tests (apt-get)…`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...names]]) {
    const [command, argv] = apt.run(args)
    const result = spawnSync(command, argv, { stdio: ['ignore', 'inherit', 'inherit'], env })
    if (result.status !== 0) throw new Error(cannot(missing, `\`${[command, ...argv].join(' ')}\` failed (exit ${result.status})`))
  }
  const still = await missingPackages()
  if (still.length > 0) throw new Error(cannot(still, 'they are still missing after apt-get install'))
  return names
}

const pidFile = (port) => join(tmpdir(), `tikiti-test-redis-${port}.pid`)

/**
 * Starts redis-server on REDIS_URL's local port when nothing answers there and the binary exists;
 * returns how to stop it (a no-op when this run did not start it). Without a binary it does nothing:
 * the Upstash tests then fail and say what to install.
 */
export async function startRedisIfNeeded() {
  const noop = async () => {}
  if (await redisAnswers()) return noop
  const { hostname, port } = new URL(REDIS_URL)
  const binary = executable(REDIS_SERVER)
  if (!binary || !['127.0.0.1', 'localhost'].includes(hostname)) return noop
  const portNumber = port || '6379'
  const pid = pidFile(portNumber)
  execFileSync(binary, ['--daemonize', 'yes', '--bind', '127.0.0.1', '--port', portNumber, '--save', '', '--appendonly', 'no',
    '--pidfile', pid, '--dir', tmpdir(), '--logfile', ''], { stdio: 'ignore' })
  for (let i = 0; i < 50 && !(await redisAnswers()); i++) await new Promise((resolve) => setTimeout(resolve, 100))
  if (!(await redisAnswers())) throw new Error(`started ${binary} on 127.0.0.1:${portNumber}, but it does not answer PING`)
  return async () => {
    try {
      process.kill(Number(readFileSync(pid, 'utf8').trim()), 'SIGTERM')
    } catch {}
    rmSync(pid, { force: true })
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const installed = await installMissing()
    if (installed.length) console.log(`Installed ${installed.join(' and ')}.`)
  } catch (error) {
    console.error(`\n${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  }
}
