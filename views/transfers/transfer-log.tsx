import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import { maskPhone } from '../../src/lib/phone.ts'
import { maskContact } from '../../src/transfers/masking.ts'

export interface TransferLogRow {
  id: string
  ticket_id: string
  status: string
  created_at: Date
  completed_at: Date | null
  ended_at: Date | null
  old_qr_version: number | null
  new_qr_version: number | null
  new_qr_hash: string | null
  to_contact: string
  from_name: string | null
  from_phone: string | null
  from_email: string | null
  to_name: string | null
  transfer_fee_minor: number
  fee_paid_at: Date | null
  fee_transaction_id: string | null
  fee_receipt: string | null
  fee_attempts: number | string | null
}

/** The fee column: paid (with the M-Pesa receipt and a link to the payment) or not, with the attempts made. */
function FeeCell({ t, lang, row }: { t: Translator; lang: Lang; row: TransferLogRow }) {
  if (row.transfer_fee_minor <= 0) return <td>—</td>
  const amount = formatMoney(row.transfer_fee_minor, 'KES', lang)
  if (!row.fee_paid_at || !row.fee_transaction_id) return <td data-fee="unpaid">{t('transferLog.fee.unpaid', { amount, attempts: Number(row.fee_attempts ?? 0) })}</td>
  return (
    <td data-fee="paid">
      <a href={`/manage/payments/${row.fee_transaction_id}`}>{t('transferLog.fee.paid', { amount })}</a>
      {row.fee_receipt && <> <code>{row.fee_receipt}</code></>}
    </td>
  )
}

/** The audit trail of an event's transfers: who to whom, when, and which QR versions (with the new code's hash, never a code). */
export function TransferLog({ t, lang, title, rows }: { t: Translator; lang: Lang; title: string; rows: TransferLogRow[] }) {
  return (
    <section>
      <h1>{t('transferLog.title', { event: title })}</h1>
      {rows.length === 0 ? <p class="muted">{t('transferLog.none')}</p> : (
        <div class="table-scroll">
          <table>
            <thead><tr>
              <th scope="col">{t('transferLog.started')}</th><th scope="col">{t('transferLog.from')}</th><th scope="col">{t('transferLog.to')}</th>
              <th scope="col">{t('transferLog.status')}</th><th scope="col">{t('transferLog.ended')}</th><th scope="col">{t('transferLog.versions')}</th>
              <th scope="col">{t('transferLog.fee')}</th>
            </tr></thead>
            <tbody>
              {rows.map((row) => (
                <tr data-transfer={row.id}>
                  <td>{formatDateTime(row.created_at, lang)}</td>
                  <td>{row.from_name ?? (row.from_phone ? maskPhone(row.from_phone) : row.from_email ? maskContact(row.from_email) : '')}</td>
                  <td>{row.to_name ? `${row.to_name} (${maskContact(row.to_contact)})` : maskContact(row.to_contact)}</td>
                  <td>{t(`transferLog.state.${row.status}` as 'transferLog.state.pending')}</td>
                  <td>{row.completed_at ? formatDateTime(row.completed_at, lang) : row.ended_at ? formatDateTime(row.ended_at, lang) : ''}</td>
                  <td>{row.old_qr_version ?? ''} → {row.new_qr_version ?? ''}{row.new_qr_hash && <> <code>{row.new_qr_hash.slice(0, 12)}</code></>}</td>
                  <FeeCell t={t} lang={lang} row={row} />
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
