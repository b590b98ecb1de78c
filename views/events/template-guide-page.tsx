/**
 * The ticket template guide: the page size in millimetres, points and pixels, a diagram of where the QR
 * and the text land (drawn from src/tickets/pdf-layout.ts, the numbers the PDF renderer uses), the
 * upload form, a sample PDF and the template's removal. The diagram is inline SVG with presentation
 * attributes only (the Content-Security-Policy allows no style attributes).
 */
import type { Event } from '../../src/db/schema.ts'
import type { FieldErrors } from '../../src/http/forms.ts'
import type { MessageKey, Translator } from '../../src/i18n/index.ts'
import { IMAGE_PIXEL_LIMITS } from '../../src/storage/image-check.ts'
import { UPLOAD_RULES } from '../../src/storage/uploads.ts'
import { pointsToMm, pointsToPixels, TEMPLATE_DPI, TICKET_PAGE, TICKET_ZONES, type ZoneName } from '../../src/tickets/pdf-layout.ts'
import { FormProblem, Notice } from '../components/form.tsx'

export interface TemplateGuideProps {
  t: Translator
  event: Pick<Event, 'id' | 'title'>
  /** The current template: its address, and whether the diagram can show it (an image; a PDF cannot be). */
  template?: { url: string; isImage: boolean }
  notice?: string
  errors?: FieldErrors
}

const ZONE_NAMES = Object.keys(TICKET_ZONES) as ZoneName[]
const ZONE_COLOURS: Record<ZoneName, string> = { details: '#1f6feb', qr: '#1a7f37', holder: '#9a6700' }

/** The page at its own scale (one SVG unit = one point), the template behind it, the zones on top. */
function ZoneDiagram({ t, template }: { t: Translator; template?: TemplateGuideProps['template'] }) {
  const { width, height } = TICKET_PAGE
  return (
    <svg class="template-diagram" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img"
      aria-label={t('template.guide.diagramLabel')} xmlns="http://www.w3.org/2000/svg">
      <rect x="0.5" y="0.5" width={width - 1} height={height - 1} fill="#ffffff" stroke="#57606a" />
      {template?.isImage && <image href={template.url} x="0" y="0" width={width} height={height} preserveAspectRatio="none" />}
      {ZONE_NAMES.map((name) => {
        const zone = TICKET_ZONES[name]
        return (
          <g data-zone={name}>
            <rect x={zone.x} y={zone.y} width={zone.width} height={zone.height} fill={ZONE_COLOURS[name]} fill-opacity="0.18"
              stroke={ZONE_COLOURS[name]} stroke-width="1.5" stroke-dasharray="5 3" />
            <text x={zone.x + zone.width / 2} y={zone.y + zone.height / 2 + 5} text-anchor="middle" font-size="15"
              font-family="sans-serif" font-weight="bold" fill={ZONE_COLOURS[name]}>{t(`template.guide.short.${name}` as MessageKey)}</text>
          </g>
        )
      })}
    </svg>
  )
}

export function TemplateGuidePage({ t, event, template, notice, errors }: TemplateGuideProps) {
  const base = `/manage/events/${event.id}`
  const page = TICKET_PAGE
  const rules = UPLOAD_RULES.ticket_template
  const side = IMAGE_PIXEL_LIMITS.ticket_template.side
  const px = (points: number) => pointsToPixels(points, TEMPLATE_DPI)
  return (
    <section class="template-guide">
      <p><a href={base}>← {event.title}</a></p>
      <h1>{t('template.guide.title', { title: event.title })}</h1>
      {notice && <Notice kind="success">{notice}</Notice>}
      <p>{t('template.guide.intro')}</p>
      <p>{t('template.guide.page', {
        wmm: pointsToMm(page.width), hmm: pointsToMm(page.height), wpt: page.width, hpt: page.height,
        wpx: px(page.width), hpx: px(page.height), dpi: TEMPLATE_DPI,
      })}</p>
      <h2>{t('template.guide.zonesTitle')}</h2>
      <div class="template-layout">
        <ZoneDiagram t={t} template={template} />
        <ul class="template-zones">
          {ZONE_NAMES.map((name) => {
            const zone = TICKET_ZONES[name]
            return (
              <li data-zone={name}>{t('template.guide.zone', {
                name: t(`template.guide.zone.${name}` as MessageKey), x: pointsToMm(zone.x), y: pointsToMm(zone.y),
                w: pointsToMm(zone.width), h: pointsToMm(zone.height), wpx: px(zone.width), hpx: px(zone.height), dpi: TEMPLATE_DPI,
              })}</li>
            )
          })}
        </ul>
      </div>
      <p>{template ? t('template.guide.current') : t('template.guide.none')}</p>
      <div class="actions">
        <a class="button secondary" href={`${base}/template/sample.pdf`}>{t('template.guide.preview')}</a>
        {template && (
          <form method="post" action={`${base}/template/remove`}>
            <button class="secondary danger">{t('template.guide.remove')}</button>
          </form>
        )}
      </div>
      <h2>{t('template.guide.upload')}</h2>
      <FormProblem errors={errors} summary={t('form.fixErrors')} />
      <form method="post" action={`${base}/template`} enctype="multipart/form-data" class="stack">
        <input type="hidden" name="back" value="guide" />
        <p class="field">
          <label for="guide-template-file">{t('manage.template.file')}</label>
          <input id="guide-template-file" type="file" name="file" accept="image/jpeg,image/png,application/pdf" required aria-describedby="guide-template-hint" />
          <span class="muted" id="guide-template-hint">{t('manage.template.hint', { mb: rules.maxBytes / 1024 / 1024, side })}</span>
        </p>
        <button class="secondary">{t('manage.template.upload')}</button>
      </form>
    </section>
  )
}
