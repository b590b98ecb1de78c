/**
 * The simulated phone: `GET /phone` lists the STK prompts waiting for a person (optionally for one
 * `?phone=`), and `POST /phone/prompts/:checkoutRequestId` pays with the PIN or cancels, then answers
 * 303 back to the page. Plain forms; the language comes from `?lang=`.
 */
import type { Hono } from 'hono'
import { contentSecurityPolicy } from '../../http/content-security.ts'
import { isLang, translator, type Lang } from '../../i18n/index.ts'
import { SimulatedPhonePage, type PhoneNotice } from '../../../views/payments/simulated-phone.tsx'
import type { DarajaSimulatorState } from './types.ts'
import { DEMO_PIN, SIMULATOR_PHONES, type SimulatorOutcome } from './outcomes.ts'

export interface PhonePageDeps {
  state: DarajaSimulatorState
  answer(checkoutRequestId: string, resultCode: number): Promise<void>
  businessNames: Record<string, string>
}

const RECENT = 5
const NOTICES: readonly string[] = ['paid', 'wrongPin', 'cancelled', 'gone'] satisfies PhoneNotice[]

function pageQuery(phone: string | undefined, lang: Lang, notice?: PhoneNotice): string {
  const query = new URLSearchParams()
  if (phone) query.set('phone', phone)
  query.set('lang', lang)
  if (notice) query.set('notice', notice)
  return `?${query}`
}

export function mountPhonePage(app: Hono, { state, answer, businessNames }: PhonePageDeps): void {
  // a page of ours like any other, though served outside the app: the same enforced policy
  app.use('/phone', contentSecurityPolicy)
  app.use('/phone/*', contentSecurityPolicy)
  app.get('/phone', (c) => {
    const requested = c.req.query('lang')
    const lang: Lang = isLang(requested) ? requested : 'en'
    const phone = c.req.query('phone') || undefined
    const notice = c.req.query('notice')
    const mine = state.prompts.filter((prompt) => !phone || prompt.phone === phone)
    const page = SimulatedPhonePage({
      t: translator(lang),
      lang,
      phone,
      notice: notice && NOTICES.includes(notice) ? notice as PhoneNotice : undefined,
      demoPin: DEMO_PIN,
      prompts: mine.filter((prompt) => prompt.status === 'pending').map((prompt) => ({
        checkoutRequestId: prompt.checkoutRequestId,
        business: businessNames[prompt.shortcode] ? `${businessNames[prompt.shortcode]} (${prompt.shortcode})` : prompt.shortcode,
        amount: prompt.amount,
        accountReference: prompt.accountReference,
        phone: prompt.phone,
      })),
      recent: mine.filter((prompt) => prompt.result).slice(-RECENT).reverse().map((prompt) => ({
        checkoutRequestId: prompt.checkoutRequestId,
        phone: prompt.phone,
        amount: prompt.amount,
        resultCode: prompt.result!.resultCode,
        resultDesc: prompt.result!.resultDesc,
        receipt: prompt.result!.receipt,
      })),
      testPhones: (Object.keys(SIMULATOR_PHONES) as SimulatorOutcome[]).map((outcome) => [outcome, SIMULATOR_PHONES[outcome]]),
    })
    c.header('cache-control', 'no-store')
    return c.html(page)
  })

  app.post('/phone/prompts/:checkoutRequestId', async (c) => {
    const requested = c.req.query('lang')
    const lang: Lang = isLang(requested) ? requested : 'en'
    const phone = c.req.query('phone') || undefined
    const form = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
    const action = form.action
    const pin = typeof form.pin === 'string' ? form.pin.trim() : ''
    const prompt = state.prompts.find((p) => p.checkoutRequestId === c.req.param('checkoutRequestId'))
    let notice: PhoneNotice | undefined
    if (prompt?.status !== 'pending') notice = 'gone'
    else if (action === 'pay' || action === 'cancel') {
      const resultCode = action === 'cancel' ? 1032 : pin === DEMO_PIN ? 0 : 2001
      notice = resultCode === 0 ? 'paid' : resultCode === 2001 ? 'wrongPin' : 'cancelled'
      // the callback goes out in the background; settle() waits for it
      void answer(prompt.checkoutRequestId, resultCode)
    }
    return c.redirect(`/phone${pageQuery(phone, lang, notice)}`, 303)
  })
}
