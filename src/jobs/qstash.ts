/**
 * QStash, the scheduler for serverless deployments: jobs are published to QStash, which POSTs them back
 * to /jobs/qstash when due. Each delivery is signed (an HS256 JWT over the raw body and our URL);
 * the receiver checks it with the current key, then the next one (key rotation).
 */
import { Client, Receiver } from '@upstash/qstash'
import { envText, type AppConfig, type EnvVars } from '../config.ts'
import type { JobKind, JobRequest, Scheduler } from './scheduler.ts'

export interface QStashConfig {
  token: string
  /** QStash's API (default: Upstash's); tests point it at a local stand-in. */
  baseUrl?: string
  currentSigningKey: string
  nextSigningKey: string
  /** The public URL QStash delivers to: {public origin}/jobs/qstash. */
  destination: string
}

/** QStash's settings from its variables; deliveries come back to the app's public origin (config.publicUrl). */
export function qstashConfigFromEnv(vars: EnvVars, config: Pick<AppConfig, 'publicUrl'>): QStashConfig | undefined {
  const token = envText(vars, 'QSTASH_TOKEN')
  const currentSigningKey = envText(vars, 'QSTASH_CURRENT_SIGNING_KEY')
  const nextSigningKey = envText(vars, 'QSTASH_NEXT_SIGNING_KEY')
  const { publicUrl } = config
  if (!token || !currentSigningKey || !nextSigningKey || !publicUrl) return undefined
  return { token, baseUrl: envText(vars, 'QSTASH_URL'), currentSigningKey, nextSigningKey, destination: `${publicUrl}/jobs/qstash` }
}

export function qstashScheduler(config: QStashConfig): Scheduler {
  const client = new Client({ token: config.token, baseUrl: config.baseUrl })
  return {
    async enqueue(job: JobRequest) {
      await client.publishJSON({
        url: config.destination,
        body: { kind: job.kind, payload: job.payload ?? {} },
        notBefore: job.runAt ? Math.ceil(job.runAt.getTime() / 1000) : undefined,
        deduplicationId: job.dedupeKey,
        retries: 3,
      })
    },
  }
}

/** The job a signed delivery carries, or undefined when the signature, body hash or URL do not check out. */
export async function verifiedDelivery(config: QStashConfig, signature: string | undefined, rawBody: string) {
  if (!signature) return undefined
  const receiver = new Receiver({ currentSigningKey: config.currentSigningKey, nextSigningKey: config.nextSigningKey })
  const valid = await receiver.verify({ signature, body: rawBody, url: config.destination }).catch(() => false)
  if (!valid) return undefined
  try {
    const job = JSON.parse(rawBody) as { kind?: unknown; payload?: unknown }
    if (typeof job.kind !== 'string') return undefined
    return { kind: job.kind as JobKind, payload: (job.payload ?? {}) as Record<string, unknown> }
  } catch {
    return undefined
  }
}
