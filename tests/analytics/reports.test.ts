/**
 * Custom reports (saved by name, downloaded in any format) and the background export: progress on the
 * page while the job runs, a download when done, and nothing for another tenant.
 */
import { unzipSync, strFromU8 } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { JOB_HANDLERS } from '../../src/jobs/runner.ts'
import { runDueJobs } from '../../src/jobs/scheduler.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { placeOrder } from '../support/sales.ts'

const NOW = new Date('2026-03-05T12:00:00Z')

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let managerA: TestClient
let managerB: TestClient
let eventA: Awaited<ReturnType<typeof createEvent>>
let eventB: Awaited<ReturnType<typeof createEvent>>

async function signIn(account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

const services = { scheduler: { enqueue: async () => {} }, daraja: {} } as unknown as Parameters<typeof runDueJobs>[1]

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db, { now: () => NOW }))
  const tenantA = await createTenant(db)
  const tenantB = await createTenant(db)
  eventA = await createEvent(db, tenantA.id, { title: 'Report Night', ticketTypes: [{ name: 'GA', price_minor: 100_000, capacity: 2600 }] })
  eventB = await createEvent(db, tenantB.id, { title: 'Not Yours' })
  // 25 orders of 100 tickets: 2,500 attendee rows, more than one keyset page
  for (let i = 0; i < 25; i++) {
    await placeOrder(db, { tenantId: tenantA.id, eventId: eventA.event.id, typeId: eventA.ticketTypes[0]!.id, quantity: 100, unitMinor: 100_000, status: 'completed', at: new Date(NOW.getTime() - (i + 1) * 3600_000) })
  }
  managerA = await signIn(await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }))
  managerB = await signIn(await createAccount(db, { tenantId: tenantB.id, membership: 'manager' }))
}, 120_000)
afterAll(() => db?.destroy())

async function saveReport(client: TestClient, form: Record<string, string | string[]>) {
  return client.post('/manage/reports', form)
}

async function reportIdNamed(name: string) {
  return (await asSystem(db, (trx) => trx.selectFrom('saved_reports').select('id').where('name', '=', name).executeTakeFirstOrThrow())).id
}

describe('custom reports', () => {
  it('saves a report by name and offers it in every format with its columns and filter', async () => {
    const res = await saveReport(managerA, { name: 'Door list', dataset: 'attendees', columns: ['attendees:holder', 'attendees:ticket', 'orders:amount'], event: eventA.event.id })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/manage/reports?notice=saved')
    const html = await (await managerA.get('/manage/reports')).text()
    expect(html).toContain('Door list')
    const link = /href="(\/manage\/exports\/attendees\.csv\?[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&')
    expect(link).toContain(`event=${eventA.event.id}`)
    expect(link).toContain('columns=ticket%2Cholder')
    const csv = await (await managerA.get(link)).text()
    expect(csv.split('\r\n')[0]).toBe('Ticket,Holder')
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 2500)
  })

  it('refuses a bad name, unknown columns, no columns, a taken name and another tenant’s event, changing nothing', async () => {
    const before = await asSystem(db, (trx) => trx.selectFrom('saved_reports').select('id').execute())
    expect((await saveReport(managerA, { name: '', dataset: 'orders', columns: ['orders:amount'] })).status).toBe(422)
    expect((await saveReport(managerA, { name: 'x', dataset: 'secrets', columns: ['orders:amount'] })).status).toBe(422)
    const unknown = await saveReport(managerA, { name: 'Bad', dataset: 'orders', columns: ['orders:password'] })
    expect(unknown.status).toBe(400)
    expect(await unknown.text()).toContain('Unknown columns for this dataset: password.')
    expect((await saveReport(managerA, { name: 'None', dataset: 'orders', columns: ['attendees:holder'] })).status).toBe(422)
    expect((await saveReport(managerA, { name: 'Door list', dataset: 'orders', columns: ['orders:amount'] })).status).toBe(409)
    expect((await saveReport(managerA, { name: 'Range', dataset: 'orders', columns: ['orders:amount'], from: '2026-03-09', to: '2026-03-01' })).status).toBe(400)
    expect((await saveReport(managerA, { name: 'Theirs', dataset: 'orders', columns: ['orders:amount'], event: eventB.event.id })).status).toBe(404)
    const after = await asSystem(db, (trx) => trx.selectFrom('saved_reports').select('id').execute())
    expect(after).toHaveLength(before.length)
  })

  it('keeps reports to their tenant', async () => {
    const id = await reportIdNamed('Door list')
    expect(await (await managerB.get('/manage/reports')).text()).not.toContain('Door list')
    expect((await managerB.post(`/manage/reports/${id}/delete`)).status).toBe(404)
    expect((await managerB.post(`/manage/reports/${id}/jobs`, { format: 'csv' })).status).toBe(404)
  })
})

describe('background exports', () => {
  it('shows progress while the job waits, then a download that opens', async () => {
    const id = await reportIdNamed('Door list')
    const res = await managerA.post(`/manage/reports/${id}/jobs`, { format: 'xlsx' })
    expect(res.status).toBe(303)
    const jobPath = res.headers.get('location')!
    expect(jobPath).toMatch(/^\/manage\/exports\/jobs\/[0-9a-f-]{36}$/)
    const waiting = await (await managerA.get(jobPath, { 'HX-Request': 'true' })).text()
    expect(waiting).toContain('hx-trigger="every 2s"')
    expect(waiting).not.toContain('/download')
    expect((await managerB.get(jobPath)).status).toBe(404)
    expect((await managerA.get(`${jobPath}/download`)).status).toBe(404)

    // the scheduler stamps jobs with the real clock, so the runner runs on it too
    expect(await runDueJobs(db, services, JOB_HANDLERS, new Date())).toBeGreaterThanOrEqual(1)
    const done = await (await managerA.get(jobPath)).text()
    expect(done).toContain('data-progress="100"')
    expect(done).toContain('2,500 of 2,500 rows')
    expect(done).not.toContain('hx-trigger="every 2s"')
    expect((await managerB.get(`${jobPath}/download`)).status).toBe(404)
    const file = await managerA.get(`${jobPath}/download`)
    expect(file.status).toBe(200)
    const sheet = strFromU8(unzipSync(new Uint8Array(await file.arrayBuffer()))['xl/worksheets/sheet1.xml']!)
    expect((sheet.match(/<row /g) ?? []).length).toBe(1 + 2500)
  })

  it('prepares an export from the dashboard’s filter, refusing bad input and another tenant’s event', async () => {
    const before = await asSystem(db, (trx) => trx.selectFrom('export_jobs').select('id').execute())
    expect((await managerA.post('/manage/exports/jobs', { dataset: 'secrets', format: 'csv' })).status).toBe(422)
    expect((await managerA.post('/manage/exports/jobs', { dataset: 'orders', format: 'docx' })).status).toBe(422)
    expect((await managerA.post('/manage/exports/jobs', { dataset: 'orders', format: 'csv', from: '2026-03-09', to: '2026-03-01' })).status).toBe(400)
    expect((await managerA.post('/manage/exports/jobs', { dataset: 'orders', format: 'csv', columns: 'amount,password' })).status).toBe(400)
    expect((await managerA.post('/manage/exports/jobs', { dataset: 'orders', format: 'csv', event: eventB.event.id })).status).toBe(404)
    expect(await asSystem(db, (trx) => trx.selectFrom('export_jobs').select('id').execute())).toHaveLength(before.length)
    const res = await managerA.post('/manage/exports/jobs', { dataset: 'orders', format: 'csv', event: eventA.event.id })
    expect(res.status).toBe(303)
    const jobPath = res.headers.get('location')!
    await runDueJobs(db, services, JOB_HANDLERS, new Date())
    const csv = await (await managerA.get(`${jobPath}/download`)).text()
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + 25)
    expect((await managerB.get(`${jobPath}/download`)).status).toBe(404)
  })

  it('refuses an unknown format', async () => {
    const id = await reportIdNamed('Door list')
    expect((await managerA.post(`/manage/reports/${id}/jobs`, { format: 'docx' })).status).toBe(422)
  })
})
