/** The answers of the hold routes when the waiting room stands in the way (src/waitroom/admission-check.ts). */
import type { Context } from 'hono'
import { AdmissionRefused } from '../../views/waitroom/queue-page.tsx'
import type { AppEnv } from '../http/app-env.ts'
import { renderPage } from '../http/render.tsx'
import { DomainError } from '../lib/domain-errors.ts'
import { queuePath, type HoldGate } from './admission-check.ts'

/** The page for an admission that is not this browser's: 403, with the way back to the queue. */
export function admissionRefusedPage(c: Context<AppEnv>, slug: string) {
  c.header('X-Queue-Status', 'refused')
  return renderPage(c, { title: c.var.t('waitroom.refused.title'), status: 403, body: <AdmissionRefused t={c.var.t} slug={slug} /> })
}

/** A page answer for the hold form when it may not hold yet; undefined when it may. */
export function pageForGate(c: Context<AppEnv>, gate: HoldGate): Response | Promise<Response> | undefined {
  if (gate.kind === 'queue') return c.redirect(queuePath(gate.slug, gate.expired ? 'expired' : undefined), 303)
  if (gate.kind === 'refused') return admissionRefusedPage(c, gate.slug)
  return undefined
}

/** The JSON API's refusal when it may not hold yet (the queue's page is in Location); nothing when it may. */
export function throwForGate(c: Context<AppEnv>, gate: HoldGate): void {
  if (gate.kind === 'open') return
  c.header('Location', queuePath(gate.slug))
  if (gate.kind === 'refused') throw new DomainError(403, 'admission_refused', 'waitroom.refused.body')
  throw new DomainError(409, 'waiting_room', 'waitroom.api.queue')
}
