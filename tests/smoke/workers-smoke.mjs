#!/usr/bin/env node
/**
 * Workers smoke test: the same app on workerd (`wrangler dev`) against a real Postgres.
 * Creates a scratch database, migrates and seeds it with the Deno commands (`npm run migrate`,
 * `npm run seed`), starts `wrangler dev`, checks the health check, the home page with demo data, an
 * event page, a 404, static files (the versioned ones cached for good), the pages' security headers, and a sign-in to the admin portal, then cleans up. Exits non-zero on any failure.
 *
 * SMOKE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
 */
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { createServer } from 'node:http'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib'
import postgres from 'postgres'

/** Whether a PDF embeds a TrueType font (DejaVu Sans: the standard fonts are not embedded). */
async function embedsUnicodeFont(bytes) {
  const doc = await PDFDocument.load(bytes)
  return doc.context.enumerateIndirectObjects().some(([, object]) => object instanceof PDFDict &&
    object.get(PDFName.of('Type')) === PDFName.of('FontDescriptor') && object.has(PDFName.of('FontFile2')))
}

const serverUrl = process.env.SMOKE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const port = Number(process.env.SMOKE_PORT ?? 8787)
const name = `ticketing_smoke_${Date.now()}`
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
let wrangler
let failures = 0

function check(label, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? ` (${detail})` : ''}`)
  if (!ok) failures++
}

function run(script) {
  const result = spawnSync('npm', ['run', '--silent', script], {
    env: { ...process.env, DATABASE_URL: dbUrl.toString() },
    stdio: 'inherit',
  })
  if (result.status !== 0) throw new Error(`npm run ${script} failed`)
}

/** A local capture server standing in for a message provider: records each request, answers like the provider. */
async function captureServer(answer) {
  const requests = []
  const server = createServer(async (req, res) => {
    const chunks = []
    for await (const chunk of req) chunks.push(chunk)
    const text = Buffer.concat(chunks).toString('utf8')
    const request = { method: req.method, path: new URL(req.url, 'http://x').pathname, headers: req.headers, body: text ? JSON.parse(text) : undefined }
    requests.push(request)
    const [status, body] = answer(request)
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, requests, close: () => new Promise((resolve) => server.close(resolve)) }
}

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (condition()) return true
    await sleep(200)
  }
  return condition()
}

async function waitForServer(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (wrangler.exitCode !== null) throw new Error(`wrangler dev exited with ${wrangler.exitCode}`)
    try {
      await fetch(url)
      return
    } catch {
      await sleep(500)
    }
  }
  throw new Error(`wrangler dev did not answer on ${url} within ${timeoutMs / 1000}s`)
}

const resend = await captureServer((request) => request.headers.authorization === 'Bearer re_smoke'
  ? [200, { id: `em_${request.headers['idempotency-key']}` }] : [403, { statusCode: 403, name: 'invalid_api_key', message: 'API key is invalid' }])
const waha = await captureServer((request) => request.headers['x-api-key'] !== 'waha-smoke' ? [401, { message: 'Unauthorized' }]
  : request.method === 'GET' ? [200, { name: 'default', status: 'WORKING' }]
  : [201, { id: { _serialized: `true_${request.body?.chatId}_SMOKE` } }])

try {
  await admin.unsafe(`create database ${name}`)
  run('migrate')
  run('seed')

  const started = Date.now()
  wrangler = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port),
    '--var', `DATABASE_URL:${dbUrl}`, '--var', `PUBLIC_URL:http://127.0.0.1:${port}`,
    // production sends messages only with a sender and the keys that seal their links at rest
    '--var', `SECRETS_KEYS:smoke1:${randomBytes(32).toString('base64url')}`,
    '--var', 'RESEND_API_KEY:re_smoke', '--var', 'EMAIL_FROM:smoke@tikiti.test', '--var', `RESEND_BASE_URL:${resend.url}`,
    '--var', `WAHA_URL:${waha.url}`, '--var', 'WAHA_API_KEY:waha-smoke', '--var', 'WAHA_MAX_PER_MINUTE:6000',
    '--show-interactive-dev-session=false'], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  let output = ''
  wrangler.stdout.on('data', (chunk) => (output += chunk))
  wrangler.stderr.on('data', (chunk) => (output += chunk))
  const base = `http://127.0.0.1:${port}`
  try {
    await waitForServer(`${base}/healthz`, 90_000)
  } catch (error) {
    console.log(output)
    throw error
  }
  console.log(`wrangler dev answered after ${((Date.now() - started) / 1000).toFixed(1)}s`)

  const health = await fetch(`${base}/healthz`)
  check('GET /healthz answers 200 with a database round trip', health.status === 200, `${health.status} ${await health.text()}`)
  const home = await fetch(`${base}/`)
  const homeHtml = await home.text()
  check('GET / answers 200', home.status === 200, String(home.status))
  check('home page lists the demo events', homeHtml.includes('Nairobi Jazz Night') && homeHtml.includes('Mombasa Beach Festival'))
  const event = await fetch(`${base}/events/nairobi-jazz-night`)
  check('GET /events/nairobi-jazz-night answers 200', event.status === 200, String(event.status))
  const search = await fetch(`${base}/events?city=mombasa`)
  check('event search finds the Mombasa demo event', (await search.text()).includes('Mombasa Beach Festival'))
  const api = await fetch(`${base}/api/v1/events`)
  const apiBody = await api.json().catch(() => ({}))
  check('GET /api/v1/events lists the demo events as JSON', api.status === 200 && apiBody.events?.length >= 4, String(api.status))
  const jazz = apiBody.events?.find((event) => event.slug === 'nairobi-jazz-night')
  const detail = jazz ? await (await fetch(`${base}/api/v1/events/${jazz.id}`)).json() : undefined
  const regular = detail?.ticketTypes?.find((type) => type.name === 'Regular')
  const hold = regular && await fetch(`${base}/api/v1/events/${jazz.id}/reservations`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID().replace(/-/g, '') },
    body: JSON.stringify({ items: [{ ticketTypeId: regular.id, quantity: 2 }] }),
  })
  const held = hold && hold.status === 201 ? await hold.json() : undefined
  check('a buyer holds two tickets through the API (hold_tickets on workerd)', !!held?.token, String(hold?.status))
  const followed = held && await fetch(`${base}/api/v1/reservations/${held.id}`, { headers: { authorization: `Bearer ${held.token}` } })
  check('the hold is readable with its token', followed?.status === 200 && (await followed.json()).status === 'held')
  // the Worker has no SECRETS_KEYS here, so the demo organiser's sealed M-Pesa credentials cannot be opened
  const pay = held && await fetch(`${base}/api/v1/reservations/${held.id}/payments`, {
    method: 'POST', headers: { authorization: `Bearer ${held.token}`, 'content-type': 'application/json' }, body: '{"phone":"123"}',
  })
  check('a payment with a bad phone is refused with a 422 (payments on workerd)', pay?.status === 422, String(pay?.status))
  const callback = await fetch(`${base}/payments/mpesa/callback/${crypto.randomUUID()}/${'x'.repeat(43)}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Body":{}}',
  })
  check('an unknown M-Pesa callback is answered "Accepted" and ignored', callback.status === 200 && (await callback.json()).ResultDesc === 'Accepted', String(callback.status))
  const sw = await fetch(`${base}/?lang=sw`)
  check('Swahili home page', (await sw.text()).includes('Matukio yajayo'))
  const missing = await fetch(`${base}/no-such-page`)
  check('unknown page answers 404', missing.status === 404, String(missing.status))
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'admin@tikiti.test', password: 'tikiti-demo-2026' }),
  })
  const sessionCookie = login.headers.getSetCookie().find((line) => line.startsWith('__Host-session='))?.split(';')[0]
  check('demo super admin signs in (Argon2id on workerd)', login.status === 303 && !!sessionCookie, String(login.status))
  const adminPage = await fetch(`${base}/admin`, { headers: { cookie: sessionCookie ?? '' } })
  const adminHtml = await adminPage.text()
  check('the admin portal lists the demo organisers', adminPage.status === 200 && adminHtml.includes('Pwani Events'), String(adminPage.status))
  // messages through both senders: written by the request, sent right after it by the dispatcher (waitUntil)
  const forgot = await fetch(`${base}/password/forgot`, {
    method: 'POST', redirect: 'manual', headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'admin@tikiti.test' }),
  })
  const emailed = await until(() => resend.requests.some((r) => r.path === '/emails' && r.body?.to?.[0] === 'admin@tikiti.test'), 15_000)
  const email = resend.requests.find((r) => r.path === '/emails')
  check('a password reset is emailed through the resend SDK on workerd, with its Idempotency-Key',
    forgot.status < 400 && emailed && /^[0-9a-f-]{36}$/.test(String(email?.headers['idempotency-key'])) && /\/password\/reset\?token=/.test(email?.body?.text ?? ''),
    `${forgot.status}, ${resend.requests.length} requests`)
  const phone = await fetch(`${base}/account/phone`, {
    method: 'POST', redirect: 'manual',
    headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded', cookie: sessionCookie ?? '' },
    body: new URLSearchParams({ phone: '0712345678' }),
  })
  const texted = await until(() => waha.requests.some((r) => r.path === '/api/sendText'), 15_000)
  const text = waha.requests.find((r) => r.path === '/api/sendText')
  check('a phone code goes out on WhatsApp through WAHA on workerd', texted && text?.body?.chatId === '254712345678@c.us' && /\d{6}/.test(text?.body?.text ?? ''),
    `${phone.status}, ${waha.requests.length} requests`)
  // the exports' libraries (write-excel-file's universal build, pdf-lib with fontkit) on web globals only;
  // a ticket type named in Amharic makes the summary PDF embed the Unicode font
  const scratch = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} })
  await scratch`update ticket_types set name = name || ' ሰላም' where id = (select id from ticket_types order by id limit 1)`
  await scratch.end()
  const dashboard = await fetch(`${base}/admin/dashboard`, { headers: { cookie: sessionCookie ?? '' } })
  check('the platform dashboard renders on workerd', dashboard.status === 200 && (await dashboard.text()).includes('<svg'), String(dashboard.status))
  for (const [file, magic] of [['orders.csv', [0xef, 0xbb, 0xbf]], ['attendees.xlsx', [0x50, 0x4b]], ['attendees.pdf', [0x25, 0x50, 0x44, 0x46]], ['summary.pdf', [0x25, 0x50, 0x44, 0x46]]]) {
    const exported = await fetch(`${base}/admin/exports/${file}`, { headers: { cookie: sessionCookie ?? '' } })
    const bytes = new Uint8Array(await exported.arrayBuffer())
    check(`the ${file} export is built on workerd`, exported.status === 200 && magic.every((b, i) => bytes[i] === b) &&
      (file !== 'summary.pdf' || await embedsUnicodeFont(bytes)),
      `${exported.status}, ${bytes.length} bytes${exported.status === 200 ? '' : `: ${new TextDecoder().decode(bytes.slice(0, 300))}`}`)
  }
  const asset = await fetch(`${base}/robots.txt`)
  check('static assets are served', asset.status === 200, String(asset.status))
  for (const file of readdirSync(new URL('../../static/assets/', import.meta.url))) {
    const versioned = await fetch(`${base}/assets/${file}`)
    await versioned.arrayBuffer()
    check(`/assets/${file} is served with immutable caching`, versioned.status === 200 &&
      versioned.headers.get('cache-control') === 'public, max-age=31536000, immutable', `${versioned.status} ${versioned.headers.get('cache-control')}`)
  }
  const csp = home.headers.get('content-security-policy') ?? ''
  check('pages carry an enforced Content-Security-Policy and HSTS', csp.includes("default-src 'none'") &&
    /max-age=31536000/.test(home.headers.get('strict-transport-security') ?? ''), csp)
  if (failures) console.log(output)
} catch (error) {
  console.error(error)
  failures++
} finally {
  if (wrangler && wrangler.exitCode === null) {
    try { process.kill(-wrangler.pid, 'SIGTERM') } catch {}
    await sleep(1000)
    try { process.kill(-wrangler.pid, 'SIGKILL') } catch {}
  }
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
  await admin.end()
  await resend.close()
  await waha.close()
}

console.log(failures ? `workers smoke: ${failures} failed` : 'workers smoke: all passed')
process.exit(failures ? 1 : 0)
