import { raw } from 'hono/html'
import { AUDIT_ACTIONS } from '../../src/audit/audit-log.ts'
import type { AuditEntryRow, AuditQuery } from '../../src/audit/audit-queries.ts'
import { formatCount, formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'

export interface AuditPageProps {
  t: Translator
  lang: Lang
  /** `platform`: the super admin's page (tenant filter and column, actors' emails); `tenant`: a manager's. */
  scope: 'platform' | 'tenant'
  /** The manager's organiser, named in the introduction. */
  tenantName?: string
  /** The super admin's tenant filter. */
  tenants?: Array<{ id: string; name: string }>
  query: AuditQuery
  entries: AuditEntryRow[]
  total: number
  pages: number
  /** This page's own path: the filter form's action and the pager's links. */
  action: string
}

/** The page's URL with the current filter and the given page. */
function linkTo(path: string, query: AuditQuery, page: number): string {
  const params = new URLSearchParams()
  for (const name of ['tenant', 'actor', 'action', 'from', 'to'] as const) {
    const value = query[name]
    if (value) params.set(name, value)
  }
  if (page > 1) params.set('page', String(page))
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

/** The table's styles live on the page (like the payments page's) rather than in the buyers' shared stylesheet. */
export const auditStyles = `
.audit-filter{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:8px;align-items:end;margin:0 0 12px}
.audit-filter label{display:grid;gap:4px;font-weight:600;font-size:.95rem}
.audit-filter .go{grid-column:1/-1;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.audit-wrap{overflow-x:auto}
table.audit{width:100%;border-collapse:collapse;background:#fff;font-size:.85rem}
table.audit th,table.audit td{text-align:left;padding:6px;border-bottom:1px solid #d8dee4;vertical-align:top}
table.audit .nowrap{white-space:nowrap}
table.audit code{font-size:.8rem;white-space:nowrap}
@media(max-width:760px){
table.audit thead{position:absolute;left:-9999px}
table.audit,table.audit tbody,table.audit tr,table.audit td{display:block;width:100%}
table.audit tr{border:1px solid #d8dee4;border-radius:8px;margin:0 0 10px;padding:4px 10px}
table.audit td{display:flex;justify-content:space-between;gap:12px;border:0;padding:3px 0;text-align:right}
table.audit td::before{content:attr(data-label);font-weight:600;color:#57606a;text-align:left;flex:0 0 auto}
}
.pager{display:flex;justify-content:space-between;align-items:center;gap:8px;flex-wrap:wrap;margin:12px 0}
`.replace(/\n/g, '')

function actionText(t: Translator, action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action) ? t(`audit.action.${action}` as MessageKey) : action
}

const TARGET_KEYS: Record<string, MessageKey> = { user: 'audit.target.user', tenant: 'audit.target.tenant', session: 'audit.target.session' }

/** What the entry was about: its kind, and the start of its id (the whole id on hover, for looking it up). */
function Target({ t, entry }: { t: Translator; entry: AuditEntryRow }) {
  if (!entry.target_type) return null
  const kind = TARGET_KEYS[entry.target_type]
  return <span>{kind ? t(kind) : entry.target_type}{entry.target_id && <> <code title={entry.target_id}>{entry.target_id.slice(0, 8)}</code></>}</span>
}

function Actor({ t, scope, entry }: { t: Translator; scope: AuditPageProps['scope']; entry: AuditEntryRow }) {
  if (entry.actor_email) {
    if (scope === 'platform' || !entry.actor_name) return <span>{entry.actor_email}</span>
    return <span>{entry.actor_name}<br /><span class="muted">{entry.actor_email}</span></span>
  }
  if (entry.actor_hidden) return <span class="muted">{t('audit.actor.outside')}</span>
  if (entry.actor_user_id) return <span class="muted">{t('audit.actor.noEmail')}</span>
  return <span class="muted">{t('audit.actor.none')}</span>
}

/** The row's metadata as short "key: value" pairs (it never holds secrets; see src/audit/audit-log.ts). */
function details(metadata: unknown): string {
  if (!metadata || typeof metadata !== 'object') return ''
  return Object.entries(metadata as Record<string, unknown>)
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`).join(', ')
}

export function AuditPage(props: AuditPageProps) {
  const { t, lang, scope, query, entries, total, pages } = props
  const href = (page: number) => linkTo(props.action, query, page)
  const label = (key: MessageKey) => t(key)
  return (
    <section>
      <style>{raw(auditStyles)}</style>
      <p><a href={scope === 'platform' ? '/admin' : '/manage'}>← {t(scope === 'platform' ? 'admin.title' : 'manage.title')}</a></p>
      <h1>{t('audit.title')}</h1>
      <p class="muted">
        {scope === 'platform' ? t('audit.intro.platform') : t('audit.intro.tenant', { tenant: props.tenantName ?? '' })}{' '}
        {t('audit.timeZone')}
      </p>

      <form method="get" action={props.action} class="audit-filter">
        {scope === 'platform' && (
          <label>{t('audit.filter.tenant')}
            <select name="tenant">
              <option value="">{t('audit.filter.allTenants')}</option>
              <option value="platform" selected={query.tenant === 'platform'}>{t('audit.filter.platformOnly')}</option>
              {(props.tenants ?? []).map((tenant) => <option value={tenant.id} selected={tenant.id === query.tenant}>{tenant.name}</option>)}
            </select>
          </label>
        )}
        <label>{t('audit.filter.actor')}
          <input name="actor" type="email" value={query.actor ?? ''} maxlength={254} autocomplete="off" />
        </label>
        <label>{t('audit.filter.action')}
          <select name="action">
            <option value="">{t('audit.filter.allActions')}</option>
            {AUDIT_ACTIONS.map((code) => <option value={code} selected={code === query.action}>{actionText(t, code)}</option>)}
          </select>
        </label>
        <label>{t('audit.filter.from')}
          <input name="from" type="date" value={query.from ?? ''} />
        </label>
        <label>{t('audit.filter.to')}
          <input name="to" type="date" value={query.to ?? ''} />
        </label>
        <div class="go">
          <button>{t('audit.filter.apply')}</button>
          <a href={props.action}>{t('audit.filter.clear')}</a>
        </div>
      </form>

      <p class="muted" data-total={total}>{total === 1 ? t('audit.countOne') : t('audit.count', { count: formatCount(total, lang) })}</p>
      {entries.length === 0 ? <p class="muted">{t('audit.none')}</p> : (
        <div class="audit-wrap">
          <table class="audit">
            <thead>
              <tr>
                <th scope="col">{t('audit.col.time')}</th>
                {scope === 'platform' && <th scope="col">{t('audit.col.tenant')}</th>}
                <th scope="col">{t('audit.col.actor')}</th>
                <th scope="col">{t('audit.col.action')}</th>
                <th scope="col">{t('audit.col.target')}</th>
                <th scope="col">{t('audit.col.details')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr data-entry={entry.id} data-action={entry.action}>
                  <td class="nowrap" data-label={label('audit.col.time')}>{formatDateTime(entry.created_at, lang)}</td>
                  {scope === 'platform' && (
                    <td data-label={label('audit.col.tenant')}>{entry.tenant_name ?? <span class="muted">{t('audit.platform')}</span>}</td>
                  )}
                  <td data-label={label('audit.col.actor')}><Actor t={t} scope={scope} entry={entry} /></td>
                  <td data-label={label('audit.col.action')}>{actionText(t, entry.action)}</td>
                  <td data-label={label('audit.col.target')}>
                    <Target t={t} entry={entry} />
                  </td>
                  <td data-label={label('audit.col.details')}>{details(entry.metadata)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(pages > 1 || query.page > 1) && (
        <nav class="pager" aria-label={t('audit.pages')}>
          <span>{query.page > 1 && <a href={href(Math.min(query.page - 1, pages))} rel="prev">← {t('audit.newer')}</a>}</span>
          <span>{t('audit.page', { page: query.page, pages })}</span>
          <span>{query.page < pages && <a href={href(query.page + 1)} rel="next">{t('audit.older')} →</a>}</span>
        </nav>
      )}
    </section>
  )
}
