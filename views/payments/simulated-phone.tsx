import { raw } from 'hono/html'
import { formatMoney } from '../../src/i18n/format.ts'
import { LANGUAGES, type Lang, type MessageKey, type Translator } from '../../src/i18n/index.ts'
import type { SimulatorOutcome } from '../../src/payments/simulator/outcomes.ts'

/** One STK prompt waiting on the simulated phone. */
export interface PhonePrompt {
  checkoutRequestId: string
  /** The business name when known, else the shortcode. */
  business: string
  /** Whole shillings. */
  amount: number
  accountReference: string
  phone: string
}

/** A prompt that has ended, for the "recent results" list. */
export interface PhoneResult {
  checkoutRequestId: string
  phone: string
  amount: number
  resultCode: number
  resultDesc: string
  receipt?: string
}

export type PhoneNotice = 'paid' | 'wrongPin' | 'cancelled' | 'gone'

export interface SimulatedPhonePageProps {
  t: Translator
  lang: Lang
  prompts: PhonePrompt[]
  recent: PhoneResult[]
  /** Only this phone's prompts are shown. */
  phone?: string
  notice?: PhoneNotice
  demoPin: string
  /** [outcome, phone number] for each automatic test number. */
  testPhones: Array<[outcome: SimulatorOutcome, phone: string]>
}

const noticeKeys: Record<PhoneNotice, MessageKey> = {
  paid: 'simulator.notice.paid',
  wrongPin: 'simulator.notice.wrongPin',
  cancelled: 'simulator.notice.cancelled',
  gone: 'simulator.notice.gone',
}

/** Small and self-contained: this page is served by the simulator, outside the app and its layout. */
export const phoneStyles = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f23;background:#e9ecef}
main{max-width:420px;margin:0 auto;padding:12px}
header{background:#0f5132;color:#fff;padding:10px 12px;border-radius:12px 12px 0 0}
nav a{margin-right:12px}nav [aria-current]{font-weight:700}
h1{font-size:1.1rem;margin:0}h2{font-size:1rem;margin:16px 0 6px}
.screen{background:#fff;border-radius:0 0 12px 12px;padding:12px;border:1px solid #ced4da;border-top:0}
.muted{color:#57606a;font-size:.9rem}
.prompt{border:1px solid #2da44e;border-radius:10px;padding:10px 12px;margin:10px 0;background:#f6fff8}
.prompt p{margin:0 0 6px}.prompt .ask{font-weight:600}
label{display:block;font-weight:600;font-size:.95rem;margin:6px 0 4px}
input{font:inherit;padding:10px;border:1px solid #8c959f;border-radius:6px;width:100%;min-height:44px;letter-spacing:.3em}
.buttons{display:flex;gap:8px;margin-top:8px}
button{flex:1;font:inherit;font-weight:600;border-radius:6px;padding:10px;min-height:44px;cursor:pointer;background:#0f5132;color:#fff;border:0}
button.cancel{background:#fff;color:#a40e26;border:1px solid #a40e26}
.notice{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:8px 10px;margin:0 0 10px}
ul{padding-left:18px;margin:4px 0}li{margin:2px 0}code{font-size:.95rem}
`.replace(/\n/g, '')

function link(params: { phone?: string; lang: Lang }): string {
  const query = new URLSearchParams()
  if (params.phone) query.set('phone', params.phone)
  query.set('lang', params.lang)
  return `?${query}`
}

/** The simulated phone: pending STK prompts, each approved with a PIN or cancelled. Works without JavaScript. */
export function SimulatedPhonePage({ t, lang, prompts, recent, phone, notice, demoPin, testPhones }: SimulatedPhonePageProps) {
  const query = link({ phone, lang })
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width,initial-scale=1" />
          {/* look for new prompts every 3 s, but never reload while a PIN is being typed */}
          {prompts.length === 0 && <meta http-equiv="refresh" content={`3;url=/phone${query}`} />}
          <title>{t('simulator.title')}</title>
          <link rel="icon" href="data:," />
          <style>{raw(phoneStyles)}</style>
        </head>
        <body>
          <main>
            <header>
              <h1>{t('simulator.title')}</h1>
            </header>
            <div class="screen">
              {notice && <p class="notice" role="status">{t(noticeKeys[notice])}</p>}
              <p class="muted">{t('simulator.intro')}</p>
              {phone && (
                <p class="muted">
                  {t('simulator.forPhone', { phone })} <a href={`/phone${link({ lang })}`}>{t('simulator.allPhones')}</a>
                </p>
              )}
              {prompts.length === 0 ? <p>{t('simulator.none')}</p> : prompts.map((prompt) => (
                <form class="prompt" method="post" action={`/phone/prompts/${encodeURIComponent(prompt.checkoutRequestId)}${query}`}>
                  <p class="ask">
                    {t('simulator.prompt', {
                      amount: formatMoney(prompt.amount * 100, 'KES', lang), business: prompt.business, reference: prompt.accountReference,
                    })}
                  </p>
                  <p class="muted">{t('simulator.phone', { phone: prompt.phone })}</p>
                  <label for={`pin-${prompt.checkoutRequestId}`}>{t('simulator.pin')}</label>
                  <input id={`pin-${prompt.checkoutRequestId}`} name="pin" type="password" inputmode="numeric" autocomplete="off" maxlength={6} />
                  <p class="muted">{t('simulator.pinHint', { pin: demoPin })}</p>
                  <div class="buttons">
                    <button name="action" value="pay">{t('simulator.pay')}</button>
                    <button name="action" value="cancel" class="cancel">{t('simulator.cancel')}</button>
                  </div>
                </form>
              ))}
              <p><a href={`/phone${query}`}>{t('simulator.refresh')}</a></p>
              {recent.length > 0 && (
                <>
                  <h2>{t('simulator.recent')}</h2>
                  <ul>
                    {recent.map((result) => (
                      <li>
                        {result.phone} · {formatMoney(result.amount * 100, 'KES', lang)} ·{' '}
                        {result.resultCode === 0
                          ? t('simulator.result.paid', { receipt: result.receipt ?? '' })
                          : t('simulator.result.failed', { desc: result.resultDesc, code: result.resultCode })}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              <h2>{t('simulator.testNumbers')}</h2>
              <p class="muted">{t('simulator.testNumbersIntro')}</p>
              <ul>
                {testPhones.map(([outcome, number]) => (
                  <li><code>{number}</code> {t(`simulator.outcome.${outcome}`)}</li>
                ))}
              </ul>
              <nav class="muted" aria-label={t('lang.switchLabel')}>
                {LANGUAGES.map((code) => (
                  <a href={`/phone${link({ phone, lang: code })}`} hreflang={code} aria-current={code === lang ? 'true' : undefined}>
                    {t(`lang.${code}`)}
                  </a>
                ))}
              </nav>
            </div>
          </main>
        </body>
      </html>
    </>
  )
}
