import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'

interface OutboxMessage {
  id: string
  channel: string
  type: string
  created_at: Date
  status?: string
  content: { to?: string; subject?: string | null; body?: string }
}

/** Turns the links in a message into anchors so a person can follow them from the outbox. */
function withLinks(text: string) {
  return text.split(/(https?:\/\/\S+)/g).map((part) => (/^https?:\/\//.test(part) ? <a href={part}>{part}</a> : part))
}

export function OutboxPage({ t, lang, messages }: { t: Translator; lang: Lang; messages: OutboxMessage[] }) {
  return (
    <section>
      <h1>{t('outbox.title')}</h1>
      <p class="muted">{t('outbox.intro')}</p>
      {messages.length === 0 ? <p>{t('outbox.empty')}</p> : (
        <ul class="cards">
          {messages.map((message) => (
            <li class="card message">
              <p class="meta">
                <span class="badge">{message.channel}</span> {message.type} · {message.status} · {formatDateTime(message.created_at, lang)}
              </p>
              <p><strong>{message.content.to}</strong>{message.content.subject && <> · {message.content.subject}</>}</p>
              <pre class="body">{withLinks(message.content.body ?? '')}</pre>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
