import { formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { maskContact } from '../../src/transfers/masking.ts'
import { Notice } from '../components/form.tsx'

function CodeForm({ t, action, error, label }: { t: Translator; action: string; error?: string; label: string }) {
  return (
    <form method="post" action={action}>
      <p class={error ? 'field invalid' : 'field'}>
        <label for="f-code">{label}</label>
        <input id="f-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength={6}
          required aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'f-code-error' : undefined} />
        {error && <span class="field-error" id="f-code-error">{error}</span>}
      </p>
      <button>{t('transfer.code.submit')}</button>
    </form>
  )
}

export interface SenderTransfer {
  id: string
  status: string
  to_contact: string
  created_at: Date
  expires_at: Date
  sender_confirmed_at: Date | null
  completed_at: Date | null
  ended_at: Date | null
}

/** The sender's page of one transfer: enter their code, wait for the recipient, or cancel. */
export function SenderTransferPage({ t, lang, transfer, error, notice }: { t: Translator; lang: Lang; transfer: SenderTransfer; error?: string; notice?: string }) {
  const to = maskContact(transfer.to_contact)
  const pending = transfer.status === 'pending'
  return (
    <section class="narrow">
      <h1>{t('transfer.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p data-transfer-status={transfer.status}>{t(`transfer.status.${transfer.status === 'pending' && transfer.sender_confirmed_at ? 'waiting' : transfer.status}` as 'transfer.status.pending', { to })}</p>
      <p class="muted">{t('transfer.started', { time: formatDateTime(transfer.created_at, lang) })}
        {pending && <> · {t('transfer.expires', { time: formatDateTime(transfer.expires_at, lang) })}</>}</p>
      {pending && !transfer.sender_confirmed_at && (
        <>
          <p>{t('transfer.code.senderIntro')}</p>
          <CodeForm t={t} action={`/transfers/${transfer.id}/confirm`} error={error} label={t('transfer.code.label')} />
          <form method="post" action={`/transfers/${transfer.id}/resend`}><button class="secondary">{t('transfer.code.resend')}</button></form>
        </>
      )}
      {pending && transfer.sender_confirmed_at && error && <Notice kind="error">{error}</Notice>}
      {pending && (
        <form method="post" action={`/transfers/${transfer.id}/cancel`}>
          <p class="muted">{t('transfer.cancelExplain')}</p>
          <button class="secondary">{t('transfer.cancel')}</button>
        </form>
      )}
      <p><a href="/tickets">{t('tickets.title')}</a></p>
    </section>
  )
}

/** The recipient's page behind their link: the code that came with it accepts the ticket. */
export function AcceptTransferPage({ t, secret, event, error, notice }: { t: Translator; secret: string; event: { title: string; when: string; venue: string }; error?: string; notice?: string }) {
  return (
    <section class="narrow">
      <h1>{t('transfer.accept.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p>{t('transfer.accept.intro', { event: event.title, when: event.when, venue: event.venue })}</p>
      <CodeForm t={t} action={`/transfers/accept/${secret}`} error={error} label={t('transfer.code.recipientLabel')} />
      <form method="post" action={`/transfers/accept/${secret}/resend`}><button class="secondary">{t('transfer.code.resend')}</button></form>
    </section>
  )
}
