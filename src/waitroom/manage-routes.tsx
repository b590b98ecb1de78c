/**
 * The organiser portal's waiting-room settings of an event: GET and POST /manage/events/{eventId}/waiting-room.
 * Managers of the active tenant only; another tenant's event answers 404. Each change is audited.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { WaitingRoomSettingsPage } from '../../views/waitroom/settings-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import { recordAudit } from '../audit/audit-log.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { admissionsPerMinute } from './admission.ts'
import { findWaitingRoomSettings, saveWaitingRoomSettings } from './queue-queries.ts'
import { waitingRoomForm } from './settings-form.ts'

export const waitingRoomManageRoutes = factory.createApp()
waitingRoomManageRoutes.use('/manage/events/:eventId/waiting-room', requireManager)

const uuid = z.uuid()

function eventIdOf(c: Context<AppEnv>): string {
  const id = uuid.safeParse(c.req.param('eventId'))
  if (!id.success) throw new NotFoundError()
  return id.data
}

async function settingsPage(c: Context<AppEnv>, eventId: string, form?: { values: FormValues; errors: FieldErrors }) {
  const { tenantId } = staffMember(c)
  const event = await withUserContext(c, (trx) => findWaitingRoomSettings(trx, tenantId, eventId))
  if (!event) throw new NotFoundError()
  const values = form?.values ?? {
    highDemand: event.high_demand ? 'on' : '', admissionPerMinute: event.admission_per_minute?.toString() ?? '',
    autoQueueThreshold: event.auto_queue_threshold?.toString() ?? '',
  }
  return renderPage(c, {
    title: c.var.t('waitroom.manage.title'),
    status: form ? 422 : 200,
    body: <WaitingRoomSettingsPage t={c.var.t} eventId={eventId} title={event.title} values={values} errors={form?.errors}
      defaultRate={admissionsPerMinute(c.var.config, null)} saved={c.req.query('notice') === 'saved'} />,
  })
}

waitingRoomManageRoutes.get('/manage/events/:eventId/waiting-room', (c) => settingsPage(c, eventIdOf(c)))

waitingRoomManageRoutes.post('/manage/events/:eventId/waiting-room', async (c) => {
  const eventId = eventIdOf(c)
  const form = await readForm(c, waitingRoomForm)
  if (!form.ok) return settingsPage(c, eventId, { values: form.values, errors: form.errors })
  if (form.data.highDemand && c.var.config.mode === 'production' && !c.var.config.waitingRoomSecret) {
    return settingsPage(c, eventId, { values: form.values, errors: { _form: c.var.t('waitroom.manage.noSecret') } })
  }
  const { tenantId, userId } = staffMember(c)
  const saved = await withUserContext(c, async (trx) => {
    const done = await saveWaitingRoomSettings(trx, tenantId, eventId, form.data, c.var.now)
    if (done) {
      await recordAudit(trx, { action: 'waiting_room_changed', tenantId, actorUserId: userId, targetType: 'event', targetId: eventId, metadata: { ...form.data } })
    }
    return done
  })
  if (!saved) throw new NotFoundError()
  return c.redirect(`/manage/events/${eventId}/waiting-room?notice=saved`, 303)
})
