#!/usr/bin/env node
/**
 * Time from `npm start` to a served home page, on the embedded database: a first start on an empty data
 * folder (migrations + demo data) and a restart on the same folder (the data must still be there).
 * Prints the figures; exits non-zero if the page never comes, the restart lost the data, or a start
 * is silent (it must say "migrating…", on a first start "loading demo data…", then "listening on http://…").
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const port = Number(process.env.BENCH_PORT ?? 8765)
const dataDir = mkdtempSync(join(tmpdir(), 'ticketing-start-'))

async function startAndTime(label) {
  const started = performance.now()
  const child = spawn('npm', ['start'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  try {
    while (performance.now() - started < 120_000) {
      if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`)
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`)
        const html = await res.text()
        if (res.status === 200) {
          const ms = Math.round(performance.now() - started)
          const hasDemo = html.includes('Nairobi Jazz Night')
          // the line is written before the first request is served, but the pipe may bring it a moment later
          for (let i = 0; i < 40 && !output.includes('listening on'); i++) await sleep(50)
          console.log(`${label}: ${ms} ms from npm start to a served home page (demo events shown: ${hasDemo})`)
          return { ms, hasDemo, output }
        }
      } catch {
        // not listening yet
      }
      await sleep(50)
    }
    throw new Error(`no page within 120 s:\n${output}`)
  } finally {
    try { process.kill(-child.pid, 'SIGTERM') } catch {}
    while (child.exitCode === null && child.signalCode === null) await sleep(50)
  }
}

let ok = false
try {
  const first = await startAndTime('first start, empty data folder')
  const restart = await startAndTime('restart, same data folder')
  ok = first.hasDemo && restart.hasDemo
  if (!ok) console.log('FAIL: demo events missing')
  const said = (start, line) => start.output.includes(line)
  const progress = said(first, 'migrating…') && said(first, 'loading demo data…') && said(first, `listening on http://localhost:${port}`) &&
    said(restart, 'migrating…') && !said(restart, 'loading demo data…') && said(restart, `listening on http://localhost:${port}`)
  if (!progress) console.log(`FAIL: start-up progress lines missing; the first start said:\n${first.output}`)
  ok &&= progress
} finally {
  rmSync(dataDir, { recursive: true, force: true })
}
process.exit(ok ? 0 : 1)
