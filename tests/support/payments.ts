/**
 * The app wired to the Daraja simulator, in process: the app's Daraja calls go to the simulator's
 * Hono app, and the simulator's callbacks come back through the app's own `request`. Callbacks are
 * sent at once (no delay); `sim.settle()` waits for them.
 */
import { createApp, type App } from '../../src/app.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'
import { JOB_HANDLERS } from '../../src/jobs/runner.ts'
import { postgresScheduler, runDueJobs } from '../../src/jobs/scheduler.ts'
import type { BackgroundServices } from '../../src/services.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import type { FetchFn } from '../../src/lib/fetch.ts'
import { saveCredentials } from '../../src/payments/mpesa-credentials.ts'
import { createDarajaSimulator, SANDBOX_B2C_SHORTCODE, type DarajaSimulator } from '../../src/payments/simulator/daraja-simulator.ts'
import { createMemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.ts'
import { TEST_CONFIG } from './app.ts'
import { TestClock } from './client.ts'
import { asSystem } from './fixtures.ts'

export const SANDBOX = {
  shortcode: '174379',
  passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
}

export interface PaymentKit {
  app: App
  sim: DarajaSimulator
  ring: KeyRing
  clock: TestClock
  services: BackgroundServices
  /** Every callback's HTTP answer, in order. */
  answers: Array<{ status: number; body: string }>
  /** Runs the due jobs (payment checks, refunds) at the kit's clock. */
  runJobs(): Promise<number>
}

export async function createPaymentKit(db: Database, options: { clock?: TestClock } = {}): Promise<PaymentKit> {
  const ring = await parseKeyRing(newKeyEntry('k1'))
  const clock = options.clock ?? new TestClock()
  const answers: PaymentKit['answers'] = []
  let app: App | undefined
  const sim = createDarajaSimulator({
    callbackDelayMs: 0,
    deliver: async (url, body) => {
      const res = await app!.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      answers.push({ status: res.status, body: await res.text() })
      if (!res.ok) throw new Error(`callback answered ${res.status}`)
    },
  })
  const darajaFetch: FetchFn = (input, init) => Promise.resolve(sim.app.fetch(new Request(input, init)))
  const config = { ...TEST_CONFIG, darajaBaseUrl: 'http://daraja.test' }
  app = createApp({
    config, database: sharedDatabase(db), clock: clock.now, secretKeys: ring, darajaFetch, log: () => {},
    rateLimiter: createMemoryRateLimiter({ now: () => clock.now().getTime() }),
  })
  const services: BackgroundServices = { secretKeys: ring, daraja: { baseUrlOverride: config.darajaBaseUrl, fetch: darajaFetch }, scheduler: postgresScheduler(db) }
  return {
    app, sim, ring, clock, services, answers,
    runJobs: () => runDueJobs(db, services, JOB_HANDLERS, clock.now(), 100),
  }
}

/** The sandbox credentials for a tenant, with initiator credentials for refunds unless told otherwise. */
export async function giveMpesaCredentials(db: Database, ring: KeyRing, tenantId: string, options: { initiator?: boolean } = {}) {
  await asSystem(db, (trx) => saveCredentials(trx, ring, tenantId, {
    environment: 'sandbox', accountType: 'paybill', shortcode: SANDBOX.shortcode,
    b2cShortcode: options.initiator === false ? '' : SANDBOX_B2C_SHORTCODE,
    consumerKey: 'ck_test_app', consumerSecret: 'cs_test_app', passkey: SANDBOX.passkey,
    initiatorName: options.initiator === false ? '' : 'testapi', securityCredential: options.initiator === false ? '' : 'c2VjdXJpdHk=',
  }, new Date()))
}

export const JSON_HEADERS = { 'content-type': 'application/json' }

/** A success callback in Daraja's shape (amount in shillings; a random receipt unless given). */
export function successBody(checkoutRequestId: string, options: { amount?: number; receipt?: string; phone?: number } = {}) {
  return {
    Body: {
      stkCallback: {
        MerchantRequestID: '29115-34620561-1', CheckoutRequestID: checkoutRequestId, ResultCode: 0,
        ResultDesc: 'The service request is processed successfully.',
        CallbackMetadata: {
          Item: [
            { Name: 'Amount', Value: options.amount ?? 2000.0 },
            { Name: 'MpesaReceiptNumber', Value: options.receipt ?? `RCP${Math.random().toString(36).slice(2, 9).toUpperCase()}` },
            { Name: 'TransactionDate', Value: 20261124102115 },
            { Name: 'PhoneNumber', Value: options.phone ?? 254712000111 },
          ],
        },
      },
    },
  }
}
