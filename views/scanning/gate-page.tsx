/**
 * The scanner page: camera, manual entry (a keyboard-wedge scanner types into the same field), the
 * full-screen answer, counts and the online/offline state. Without JavaScript the manual form still
 * checks a code through the server (POST …/check). static/assets/gate-*.js runs the rest with Alpine.
 */
import { raw } from 'hono/html'
import { formatCount, formatDateTime } from '../../src/i18n/format.ts'
import type { Lang, Translator } from '../../src/i18n/index.ts'
import type { MessageKey } from '../../src/i18n/index.ts'
import { ASSETS } from '../../src/http/static-assets.ts'
import type { ScanAnswer } from '../../src/scanning/verdict.ts'

export const gateStyles = `
[x-cloak]{display:none!important}.gate{position:relative}.gate h1{font-size:1.2rem;margin:.2rem 0}
.gate .state{display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:.9rem;margin:.3rem 0}
.gate .dot{font-weight:700}.gate .on{color:#0a6b2d}.gate .off{color:#8a3b00}
.gate .cam{position:relative;background:#111;aspect-ratio:1;max-height:55vh;width:100%;overflow:hidden;border-radius:.4rem}
.gate video{width:100%;height:100%;object-fit:cover}
.gate .aim{position:absolute;inset:15%;border:3px solid #fff8;border-radius:.4rem;pointer-events:none}
.gate .tools{display:flex;gap:.5rem;flex-wrap:wrap;margin:.5rem 0}
.gate .manual{display:flex;gap:.4rem;align-items:end}.gate .manual label{flex:1}
.gate .manual input{width:100%;font-family:monospace}
.verdict{position:fixed;inset:0;z-index:50;display:flex;flex-direction:column;justify-content:center;align-items:center;
 text-align:center;padding:1rem;color:#fff;font-size:1.2rem}
.verdict strong{font-size:3rem;line-height:1.1}.verdict p{margin:.3rem 0}
.verdict.valid{background:#0a6b2d}.verdict.duplicate{background:#8a5a00}.verdict.invalid{background:#a4161a}
.verdict button{margin-top:1rem;font-size:1.1rem;background:#fff;color:#000}
`

const PAGE_MESSAGES = [
  'gate.result.valid', 'gate.result.duplicate', 'gate.result.invalid', 'gate.result.transferred', 'gate.result.cancelled',
  'gate.result.unpaid', 'gate.reason.malformed', 'gate.reason.forged', 'gate.reason.other_event', 'gate.reason.future_dated',
  'gate.reason.not_issued', 'gate.reason.old_version', 'gate.reason.transferred', 'gate.reason.cancelled', 'gate.reason.refunded',
  'gate.reason.not_paid', 'gate.reason.already_used', 'gate.firstScan', 'gate.device', 'gate.online', 'gate.offline', 'gate.manifestAge',
  'gate.manifestNone', 'gate.counts', 'gate.queued', 'gate.signInAgain', 'gate.cameraFailed', 'gate.undone', 'gate.offlineChecked',
] as const satisfies readonly MessageKey[]

interface GateEvent {
  id: string
  title: string
  starts_at: Date
  venue_name: string
}

/** The answer as words: for the no-JavaScript form, and the same words the script shows. */
function Verdict({ t, lang, answer }: { t: Translator; lang: Lang; answer: ScanAnswer }) {
  const tone = answer.result === 'valid' ? 'valid' : answer.result === 'duplicate' ? 'duplicate' : 'invalid'
  return (
    <div class={`verdict ${tone}`} role="alert">
      <strong>{t(`gate.result.${answer.result}`)}</strong>
      {answer.ticket && <p>{answer.ticket.type}{answer.ticket.holderFirstName ? ` · ${answer.ticket.holderFirstName}` : ''}</p>}
      {answer.reason && answer.result !== 'valid' && <p>{t(`gate.reason.${answer.reason}`)}</p>}
      {answer.firstScan && <p>{t('gate.firstScan', { at: formatDateTime(new Date(answer.firstScan.at), lang), gate: answer.firstScan.gate ?? '—' })}</p>}
      <a class="button" href="">{t('gate.next')}</a>
    </div>
  )
}

export function GatePage({ t, lang, event, checkedIn, total, answer, manager }: {
  t: Translator; lang: Lang; event: GateEvent; checkedIn: number; total: number; answer?: ScanAnswer; manager: boolean
}) {
  const messages = Object.fromEntries(PAGE_MESSAGES.map((key) => [key.slice('gate.'.length), t(key)]))
  return (
    <section class="gate" x-data="gate" data-event={event.id} data-messages={JSON.stringify(messages)}
      data-code-module={ASSETS.signedCode} data-check-module={ASSETS.gateCheck} data-ed25519={ASSETS.ed25519} data-worker={ASSETS.gateWorker} data-sw={ASSETS.gateSw}>
      <style>{raw(gateStyles)}</style>
      <h1>{event.title}</h1>
      <p class="meta">{formatDateTime(event.starts_at, lang)} · {event.venue_name}
        {manager && <> · <a href={`/manage/events/${event.id}/attendance`}>{t('gate.attendance')}</a></>}</p>
      <p class="state" aria-live="polite">
        <span class="dot on" x-show="online" x-text="onlineText">{t('gate.online')}</span>
        <span class="dot off" x-show="offline" x-text="offlineText" x-cloak></span>
        <span id="gate-counts" x-text="countsText">{t('gate.counts', { admitted: formatCount(checkedIn, lang), expected: formatCount(total, lang) })}</span>
        <span x-text="deviceText" x-cloak x-show="ready"></span>
        <span x-text="manifestText"></span>
        <span x-text="queueText"></span>
      </p>
      <p x-show="needSignIn" x-cloak><a href={`/login?next=/scan/events/${event.id}`}>{t('gate.signInAgain')}</a></p>
      <div class="cam" x-show="ready" x-cloak>
        <video x-ref="video" playsinline muted aria-label={t('gate.camera')}></video>
        <div class="aim"></div>
      </div>
      <p class="error" x-show="cameraError" x-text="cameraError" x-cloak></p>
      <div class="tools" x-show="ready" x-cloak>
        <button type="button" x-show="noCamera" x-on:click="startCamera">{t('gate.startCamera')}</button>
        <button type="button" x-show="hasTorch" x-on:click="toggleTorch" x-bind:aria-pressed="torchText">{t('gate.torch')}</button>
        <button type="button" x-on:click="toggleMute" x-bind:aria-pressed="mutedText">{t('gate.mute')}</button>
        <button type="button" x-show="canUndo" x-on:click="undo">{t('gate.undo')}</button>
      </div>
      <p x-show="ready" x-cloak><label>{t('gate.gateName')} <input x-model="gateName" maxlength={60} autocomplete="off" /></label></p>
      <form class="manual" method="post" action={`/scan/events/${event.id}/check`} {...{ 'x-on:submit.prevent': 'submitCode' }}>
        <label>{t('gate.manualLabel')}
          <input name="code" x-ref="code" autocomplete="off" autocapitalize="characters" spellcheck={false} required maxlength={400} />
        </label>
        <button>{t('gate.check')}</button>
      </form>
      {answer && <Verdict t={t} lang={lang} answer={answer} />}
      <div x-show="shown" x-cloak x-bind:class="verdictClass" role="alert" x-on:click="dismiss">
        <strong x-text="verdictTitle"></strong>
        <p x-text="verdictTicket"></p>
        <p x-text="verdictReason"></p>
        <button type="button" x-on:click="dismiss">{t('gate.next')}</button>
      </div>
    </section>
  )
}
