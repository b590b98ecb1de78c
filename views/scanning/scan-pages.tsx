import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'

interface ScanEvent {
  id: string
  title: string
  starts_at: Date
  venue_name: string
}

export function ScannerHome({ t, lang, events }: { t: Translator; lang: Lang; events: ScanEvent[] }) {
  return (
    <section>
      <h1>{t('scan.title')}</h1>
      {events.length === 0 ? <p class="muted">{t('scan.noEvents')}</p> : (
        <ul class="cards">
          {events.map((event) => (
            <li class="card">
              <a href={`/scan/events/${event.id}`}><h2>{event.title}</h2></a>
              <p class="meta">{formatDateTime(event.starts_at, lang)} · {event.venue_name}</p>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
