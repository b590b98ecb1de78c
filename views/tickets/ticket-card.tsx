import { raw } from 'hono/html'
import type { Translator } from '../../src/i18n/index.ts'
import { qrSvg } from '../../src/tickets/qr-svg.ts'

export interface TicketCardProps {
  t: Translator
  typeName: string
  eventTitle?: string
  status: string
  code: string | null
  /** Where this ticket's PDF is, when the viewer may download it on its own. */
  pdfHref?: string
}

/** One ticket: its QR while it can admit, its state otherwise. */
export function TicketCard({ t, typeName, eventTitle, status, code, pdfHref }: TicketCardProps) {
  return (
    <li class="card ticket">
      {eventTitle && <strong>{eventTitle}</strong>}
      <p class="meta">{typeName} · <span class="badge" data-status={status}>
        {t(status === 'used' ? 'tickets.status.used' : status === 'cancelled' ? 'tickets.status.cancelled' : 'tickets.status.active')}
      </span></p>
      {status === 'active' && code && (
        <>
          <div class="qr">{raw(qrSvg(code, t('tickets.qrLabel', { type: typeName })))}</div>
          <p class="muted">{t('tickets.showAtGate')}</p>
          {pdfHref && <p><a href={pdfHref}>{t('tickets.downloadPdf')}</a></p>}
        </>
      )}
    </li>
  )
}
