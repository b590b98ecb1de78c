import { raw } from 'hono/html'
import type { FieldErrors, FormValues } from '../../src/http/forms.ts'
import { formatCount, formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import type { Lang, MessageKey, Translator } from '../../src/i18n/index.ts'
import { maskPhone } from '../../src/lib/phone.ts'
import type { PayoutListing, PayoutTotals } from '../../src/payouts/payout-queries.ts'
import { payoutStatusKey } from '../../src/payouts/payout-state.ts'
import { reconciliationStyles } from '../payments/reconciliation-page.tsx'
import { Field, FormProblem, Notice } from '../components/form.tsx'

const CURRENCY = 'KES'

const RESULT_WORDS = new Set(['no_initiator', 'no_b2c_shortcode', 'amount_not_whole', 'amount_out_of_range', 'duplicate_unconfirmed', 'timeout', 'no_answer', 'b2c_also_paid'])

/** What the last attempt said: our words for our codes, M-Pesa's own description otherwise. */
function resultText(t: Translator, payout: PayoutListing): string | undefined {
  const code = payout.result_code?.replace(/^b2c_(timeout|no_answer)$/, '$1')
  if (code && RESULT_WORDS.has(code)) return t(`payouts.result.${code}` as MessageKey)
  return payout.result_description ?? undefined
}

/** 254712345678 → "0712 345 678": a manager paying by hand needs the whole number. */
function fullPhone(phone: string) {
  return `0${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`
}

export interface PayoutsPageProps {
  t: Translator
  lang: Lang
  event: { id: string; title: string }
  payouts: PayoutListing[]
  totals: PayoutTotals
  notice?: string
  /** A refused mark-paid form: which payout, its message and what was typed. */
  failed?: { payoutId: string; errors: FieldErrors; values: FormValues }
}

function MarkPaidForm({ t, eventId, payout, failed }: { t: Translator; eventId: string; payout: PayoutListing; failed?: PayoutsPageProps['failed'] }) {
  const mine = failed?.payoutId === payout.id ? failed : undefined
  return (
    <form method="post" action={`/manage/events/${eventId}/payouts/${payout.id}/paid`} class="stack">
      {mine && <FormProblem errors={mine.errors._form ? { _form: mine.errors._form } : undefined} summary={t('form.fixErrors')} />}
      <Field name="reference" label={t('payouts.mark.reference')} idPrefix={`p-${payout.id.slice(0, 8)}`} values={mine?.values} errors={mine?.errors}
        autocomplete="off" />
      <Field name="note" label={t('payouts.mark.note')} required={false} idPrefix={`p-${payout.id.slice(0, 8)}`} values={mine?.values} errors={mine?.errors} />
      <button>{t('payouts.mark.submit')}</button>
    </form>
  )
}

/** An event's resale payouts: totals, and every payout with its state, attempts and result; manual ones can be marked paid. */
export function PayoutsPage({ t, lang, event, payouts, totals, notice, failed }: PayoutsPageProps) {
  const figures: Array<[string, MessageKey, { count: number; minor: number }]> = [
    ['completed', 'payouts.totals.paid', totals.paid],
    ['in-progress', 'payouts.totals.inProgress', totals.inProgress],
    ['manual', 'payouts.totals.manual', totals.manual],
  ]
  const noInitiator = payouts.some((payout) => payout.status === 'manual' && payout.result_code === 'no_initiator')
  return (
    <section>
      <style>{raw(reconciliationStyles)}</style>
      <p><a href={`/manage/events/${event.id}`}>← {event.title}</a></p>
      <h1>{t('payouts.page.title', { event: event.title })}</h1>
      <p class="muted">{t('payouts.page.intro')}</p>
      {notice && <Notice kind="success">{notice}</Notice>}
      {failed?.errors._form && !payouts.some((payout) => payout.id === failed.payoutId && payout.status === 'manual') && (
        <Notice kind="error">{failed.errors._form}</Notice>
      )}
      <dl class="recon-totals">
        {figures.map(([name, label, figure]) => (
          <div class={name === 'completed' ? 'main' : undefined}>
            <dt>{t(label)}</dt>
            <dd data-payouts={name}>{t('payouts.totals.amount', { count: formatCount(figure.count, lang), amount: formatMoney(figure.minor, CURRENCY, lang) })}</dd>
          </div>
        ))}
        <div><dt>{t('payouts.totals.fees')}</dt><dd data-payouts="fees">{formatMoney(totals.feesMinor, CURRENCY, lang)}</dd></div>
      </dl>
      {noInitiator && <p>{t('payouts.page.noInitiator')} <a href="/manage/mpesa">{t('payouts.page.settings')}</a></p>}
      {totals.manual.count > 0 && <p><strong>{t('payouts.page.manualHint')}</strong></p>}
      {payouts.length === 0 ? <p class="muted">{t('payouts.page.none')}</p> : (
        <>
          <h2>{t('payouts.page.list')}</h2>
          <div class="recon-wrap">
            <table class="recon">
              <thead>
                <tr>
                  <th scope="col">{t('payouts.col.date')}</th>
                  <th scope="col">{t('payouts.col.phone')}</th>
                  <th scope="col" class="num">{t('payouts.col.sale')}</th>
                  <th scope="col" class="num">{t('payouts.col.amount')}</th>
                  <th scope="col">{t('payouts.col.status')}</th>
                  <th scope="col" class="num">{t('payouts.col.attempts')}</th>
                  <th scope="col">{t('payouts.col.result')}</th>
                  <th scope="col">{t('payouts.col.action')}</th>
                </tr>
              </thead>
              <tbody>
                {payouts.map((payout) => {
                  const result = resultText(t, payout)
                  const manual = payout.status === 'manual'
                  return (
                    <tr data-payout={payout.status} id={`payout-${payout.id}`}>
                      <td data-label={t('payouts.col.date')}>{formatDateTime(payout.created_at, lang)}</td>
                      <td class="nowrap" data-label={t('payouts.col.phone')}>{manual ? fullPhone(payout.phone) : maskPhone(payout.phone)}</td>
                      <td class="num" data-label={t('payouts.col.sale')}>{formatMoney(payout.sale_minor, payout.currency, lang)}</td>
                      <td class="num" data-label={t('payouts.col.amount')}><strong>{formatMoney(payout.amount_minor, payout.currency, lang)}</strong></td>
                      <td class="nowrap" data-label={t('payouts.col.status')}>
                        <span><span class="badge">{t(payoutStatusKey(payout))}</span>
                          {payout.status === 'completed' && payout.method && <><br /><span class="muted">{t(`payouts.paidBy.${payout.method}` as MessageKey)}</span></>}</span>
                      </td>
                      <td class="num" data-label={t('payouts.col.attempts')}>{formatCount(payout.attempts, lang)}</td>
                      <td class={result || payout.receipt || payout.status === 'due' ? 'reason' : 'reason empty'} data-label={t('payouts.col.result')}>
                        <span>
                          {payout.receipt && <code>{payout.receipt}</code>}
                          {payout.receipt && (result || payout.note) && <br />}
                          {payout.note ?? result}
                          {payout.status === 'due' && payout.result_code && <><br /><span class="muted">{t('payouts.result.nextTry', { time: formatDateTime(payout.next_attempt_at, lang) })}</span></>}
                        </span>
                      </td>
                      <td class={manual ? undefined : 'empty'} data-label={t('payouts.col.action')}>
                        {manual && <MarkPaidForm t={t} eventId={event.id} payout={payout} failed={failed} />}
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}
