import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { TransferFee } from '../../src/transfers/transfer-fees.ts'
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

/** The fee step: what it costs, where the last attempt stands, and the M-Pesa form (phone, like checkout). */
function FeeForm({ t, lang, transferId, fee, phone, error }: { t: Translator; lang: Lang; transferId: string; fee: TransferFee; phone?: string; error?: string }) {
  const amount = formatMoney(fee.amountMinor, fee.currency, lang)
  return (
    <div data-fee-status={fee.status}>
      <p>{t('transfer.fee.intro', { amount })}</p>
      {fee.status === 'pending' && <Notice kind="info">{t('transfer.fee.pending', { amount })}</Notice>}
      {fee.status === 'failed' && <p class="muted">{t('transfer.fee.failed')}</p>}
      <form method="post" action={`/transfers/${transferId}/fee`}>
        <p class={error ? 'field invalid' : 'field'}>
          <label for="fee-phone">{t('transfer.fee.phone')}</label>
          <input id="fee-phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required maxlength={20} value={phone ?? ''}
            placeholder="0712 345 678" aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'fee-phone-error' : undefined} />
          {error && <span class="field-error" id="fee-phone-error">{error}</span>}
        </p>
        <button>{t('transfer.fee.submit', { amount })}</button>
      </form>
    </div>
  )
}

/** The sender's page of one transfer: enter their code, pay the fee where there is one, wait for the recipient, or cancel. */
export function SenderTransferPage({ t, lang, transfer, fee, phone, error, notice }: {
  t: Translator; lang: Lang; transfer: SenderTransfer; fee: TransferFee | null; phone?: string; error?: string; notice?: string
}) {
  const to = maskContact(transfer.to_contact)
  const pending = transfer.status === 'pending'
  const awaitingFee = pending && transfer.sender_confirmed_at !== null && fee !== null && fee.status !== 'paid'
  const statusKey = awaitingFee ? 'awaitingFee' : pending && transfer.sender_confirmed_at ? 'waiting' : transfer.status
  return (
    <section class="narrow">
      <h1>{t('transfer.title')}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p data-transfer-status={awaitingFee ? 'awaiting_fee' : transfer.status}>{t(`transfer.status.${statusKey}` as 'transfer.status.pending', { to })}</p>
      <p class="muted">{t('transfer.started', { time: formatDateTime(transfer.created_at, lang) })}
        {pending && <> · {t('transfer.expires', { time: formatDateTime(transfer.expires_at, lang) })}</>}</p>
      {pending && !transfer.sender_confirmed_at && (
        <>
          <p>{t('transfer.code.senderIntro')}</p>
          <CodeForm t={t} action={`/transfers/${transfer.id}/confirm`} error={error} label={t('transfer.code.label')} />
          <form method="post" action={`/transfers/${transfer.id}/resend`}><button class="secondary">{t('transfer.code.resend')}</button></form>
        </>
      )}
      {awaitingFee && <FeeForm t={t} lang={lang} transferId={transfer.id} fee={fee} phone={phone} error={error} />}
      {fee?.status === 'paid' && <p class="muted">{t('transfer.fee.paid', { amount: formatMoney(fee.amountMinor, fee.currency, lang) })}</p>}
      {pending && transfer.sender_confirmed_at && !awaitingFee && error && <Notice kind="error">{error}</Notice>}
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
