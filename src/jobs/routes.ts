/** /jobs/qstash: QStash delivers due jobs here. Unsigned or forged deliveries get 401 and run nothing. */
import { apiError } from '../http/api.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { verifiedDelivery } from './qstash.ts'
import { JOB_HANDLERS } from './runner.ts'

export const jobRoutes = factory.createApp()

jobRoutes.post('/jobs/qstash', async (c) => {
  const qstash = c.var.services.qstash
  if (!qstash) throw new NotFoundError()
  const job = await verifiedDelivery(qstash, c.req.header('upstash-signature'), await c.req.text())
  if (!job) return apiError(c, 401, 'bad_signature', 'api.badRequest')
  const handler = JOB_HANDLERS[job.kind]
  // an unknown kind will never succeed: acknowledge it so QStash stops retrying
  if (!handler) return c.json({ ok: false, ignored: job.kind })
  await handler(c.var.db, job.payload, c.var.now, c.var.services)
  return c.json({ ok: true })
})
