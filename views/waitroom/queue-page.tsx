/**
 * The waiting room's page: tiny (well under 5 KB over the wire), no script, refreshed by a meta refresh.
 * It says where the browser stands, the estimated wait and the tickets left.
 */
import { formatCount, formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import type { QueueView } from '../../src/waitroom/queue-service.ts'
import { Notice } from '../components/form.tsx'

export interface QueuePageProps {
  t: Translator
  lang: Lang
  title: string
  slug: string
  view: QueueView
  /** Why the browser is here again: its admission ran out, or the one it showed was not its own. */
  notice?: 'expired' | 'invalid'
  /** Seconds until the page reloads by itself (the layout's meta refresh); none when nothing more will change. */
  refreshSeconds?: number
  /** The buyer stopped the page updating by itself (WCAG 2.2.1): it offers a link to update by hand. */
  manual?: boolean
}

export function QueuePage({ t, lang, title, slug, view, notice, refreshSeconds, manual }: QueuePageProps) {
  const eventLink = `/events/${slug}`
  const still = view.status === 'waiting'
  // nothing left, and this browser has no place yet (it gets one once tickets are back)
  const placeless = still && view.position === undefined && !view.opensAt
  return (
    <section class="queue" data-queue-status={view.status}>
      <h1>{t('waitroom.title', { title })}</h1>
      {notice === 'expired' && <Notice kind="error">{t('waitroom.notice.expired')}</Notice>}
      {notice === 'invalid' && <Notice kind="error">{t('waitroom.notice.invalid')}</Notice>}
      {view.status === 'waiting' && view.opensAt && (
        <p>{t('waitroom.preQueue', { time: formatDateTime(view.opensAt, lang) })}</p>
      )}
      {view.status === 'waiting' && view.position !== undefined && (
        <p>
          <strong class="queue-position">{t('waitroom.position', { position: formatCount(view.position, lang) })}</strong>
          <br />
          {t('waitroom.wait', { minutes: formatCount(view.waitMinutes ?? 1, lang) })}
        </p>
      )}
      {view.status === 'waiting' && view.ticketsLeft === 0 && !view.opensAt && (
        <p>{t(placeless ? 'waitroom.allHeldNoPlace' : 'waitroom.allHeld')} <a href={`${eventLink}/waiting-list`}>{t('waitroom.waitingListOffer')}</a></p>
      )}
      {view.status === 'admitted' && (
        <>
          <p><strong>{t('waitroom.admitted', { time: formatDateTime(view.admittedUntil!, lang) })}</strong></p>
          <p><a class="button" href={eventLink}>{t('waitroom.choose')}</a></p>
        </>
      )}
      {view.status === 'sold_out' && (
        <>
          <p><strong>{t('waitroom.soldOut')}</strong></p>
          <p><a href={`${eventLink}/waiting-list`}>{t('waitroom.waitingListOffer')}</a></p>
        </>
      )}
      {view.status === 'closed' && <p>{t('waitroom.closed')} <a href={eventLink}>{t('waitroom.toEvent')}</a></p>}
      {view.status !== 'sold_out' && <p class="muted">{t('waitroom.ticketsLeft', { count: formatCount(view.ticketsLeft, lang) })}</p>}
      {still && !manual && refreshSeconds !== undefined && (
        <p class="muted">{t(placeless ? 'waitroom.refreshesNoPlace' : 'waitroom.refreshes', { seconds: String(refreshSeconds) })} <a href={`${eventLink}/queue?refresh=off`}>{t('waitroom.stopRefresh')}</a></p>
      )}
      {still && manual && <p><a href={`${eventLink}/queue?refresh=off`}>{t('waitroom.refreshNow')}</a> · <a href={`${eventLink}/queue`}>{t('waitroom.autoRefresh')}</a></p>}
    </section>
  )
}

/** An admission that is not this browser's (copied, altered or made up): said plainly, with the way back. */
export function AdmissionRefused({ t, slug }: { t: Translator; slug: string }) {
  return (
    <section class="error">
      <h1>{t('waitroom.refused.title')}</h1>
      <p>{t('waitroom.refused.body')}</p>
      <p><a class="button" href={`/events/${slug}/queue`}>{t('waitroom.refused.back')}</a></p>
    </section>
  )
}
