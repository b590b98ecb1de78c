import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { isTenantType, LOG_STATUSES, type MessageLogRow, type TenantMessageType } from '../../src/notifications/message-admin.ts'
import { raw } from 'hono/html'
import { auditStyles } from '../accounts/audit-page.tsx'
import { Notice } from '../components/form.tsx'

const LANG_KEYS = { en: 'lang.en', sw: 'lang.sw' } as const
const typeName = (t: Translator, type: string) => t(`messages.typeName.${type}` as MessageKey)

export function TemplatesPage({ t, templates, notice }: {
  t: Translator
  templates: Array<{ type: TenantMessageType; custom: { en: boolean; sw: boolean } }>
  notice?: string
}) {
  return (
    <section>
      <h1>{t('messages.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p class="muted">{t('messages.intro')}</p>
      <p><a href="/manage/messages/log">{t('messages.logLink')}</a></p>
      <ul class="cards">
        {templates.map((template) => (
          <li class="card">
            <h2>{typeName(t, template.type)}</h2>
            <div class="actions">
              {(['en', 'sw'] as const).map((lang) => (
                <a class="button secondary" href={`/manage/messages/${template.type}/${lang}`}>
                  {t(LANG_KEYS[lang])}: {template.custom[lang] ? t('messages.custom') : t('messages.default')}
                </a>
              ))}
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}

export interface TemplateEditorProps {
  t: Translator
  type: TenantMessageType
  lang: Lang
  subject: string
  body: string
  custom: boolean
  placeholders: readonly string[]
  preview: { subject: string; text: string }
  error?: string
  notice?: string
}

export function TemplateEditor({ t, type, lang, subject, body, custom, placeholders, preview, error, notice }: TemplateEditorProps) {
  const action = `/manage/messages/${type}/${lang}`
  return (
    <section>
      <p><a href="/manage/messages">{t('messages.title')}</a></p>
      <h1>{t('messages.editTitle', { type: typeName(t, type), lang: t(LANG_KEYS[lang]) })}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <form method="post" action={action} class="stack">
        {error && <Notice kind="error">{error}</Notice>}
        <p class={error ? 'field invalid' : 'field'}>
          <label for="m-subject">{t('messages.subject')}</label>
          <input id="m-subject" name="subject" value={subject} maxlength={200} required />
        </p>
        <p class={error ? 'field invalid' : 'field'}>
          <label for="m-body">{t('messages.body')}</label>
          <textarea id="m-body" name="body" rows={8} maxlength={5000} required aria-describedby="m-placeholders">{body}</textarea>
        </p>
        <div id="m-placeholders">
          <h2>{t('messages.placeholders')}</h2>
          <p class="muted">{t('messages.placeholdersHint')}</p>
          <p>{placeholders.map((name) => <><code>{`{{${name}}}`}</code>{' '}</>)}</p>
        </div>
        <div class="actions"><button>{t('messages.save')}</button></div>
      </form>
      {custom && (
        <form method="post" action={`${action}/reset`}>
          <button class="secondary">{t('messages.reset')}</button>
        </form>
      )}
      <h2>{t('messages.preview')}</h2>
      <div class="card">
        <p><strong>{preview.subject}</strong></p>
        <pre class="body">{preview.text}</pre>
      </div>
    </section>
  )
}

export interface MessageLogProps {
  t: Translator
  lang: Lang
  scope: 'tenant' | 'platform'
  rows: MessageLogRow[]
  events: Array<{ id: string; title: string }>
  filter: { eventId?: string; status?: string }
  action: string
  notice?: string
}

export function MessageLogPage({ t, lang, scope, rows, events, filter, action, notice }: MessageLogProps) {
  return (
    <section>
      <style>{raw(auditStyles)}</style>
      <h1>{t('messages.log.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p class="muted">{scope === 'platform' ? t('messages.log.platformIntro') : t('messages.log.intro')}</p>
      <form method="get" action={action} class="audit-filter">
        {scope === 'tenant' && (
          <label>{t('messages.log.event')}
            <select name="event">
              <option value="">{t('messages.log.any')}</option>
              {events.map((event) => <option value={event.id} selected={filter.eventId === event.id}>{event.title}</option>)}
            </select>
          </label>
        )}
        <label>{t('messages.log.status')}
          <select name="status">
            <option value="">{t('messages.log.any')}</option>
            {LOG_STATUSES.map((status) => <option value={status} selected={filter.status === status}>{t(`messages.status.${status}`)}</option>)}
          </select>
        </label>
        <div class="go"><button>{t('messages.log.filter')}</button></div>
      </form>
      {rows.length === 0 ? <p>{t('messages.log.empty')}</p> : (
        <div class="audit-wrap">
          <table class="audit">
            <thead><tr>
              <th>{t('messages.log.when')}</th>
              {scope === 'platform' && <th>{t('messages.log.tenant')}</th>}
              <th>{t('messages.type')}</th><th>{t('messages.log.event')}</th><th>{t('messages.log.channel')}</th>
              <th>{t('messages.log.status')}</th><th>{t('messages.log.attempts')}</th><th>{t('messages.log.error')}</th><th>{t('messages.log.action')}</th>
            </tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr>
                  <td data-label={t('messages.log.when')} class="nowrap">{formatDateTime(row.created_at, lang)}</td>
                  {scope === 'platform' && <td data-label={t('messages.log.tenant')}>{row.tenant_name ?? '—'}</td>}
                  <td data-label={t('messages.type')}>{isTenantType(row.type) ? typeName(t, row.type) : row.type}</td>
                  <td data-label={t('messages.log.event')}>{row.event_title ?? '—'}</td>
                  <td data-label={t('messages.log.channel')}>{row.channel}</td>
                  <td data-label={t('messages.log.status')}>{t(`messages.status.${row.status}`)}</td>
                  <td data-label={t('messages.log.attempts')}>{row.retry_count}</td>
                  <td data-label={t('messages.log.error')}>{row.last_error ?? ''}</td>
                  <td data-label={t('messages.log.action')}>{(row.status === 'failed' || row.status === 'bounced') && (
                    <form method="post" action={`${action}/${row.id}/resend`}><button class="secondary">{t('messages.log.sendAgain')}</button></form>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
