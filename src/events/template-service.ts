/**
 * An event's ticket template: uploading one (checked by storage/uploads.ts, stored private to the
 * tenant) and removing it. Both lock the tenant's event first, so another tenant's event is a 404.
 */
import type { Queryable } from '../db/database.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { checkUpload } from '../storage/uploads.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { clearTicketTemplate, findTemplateBlob, findTenantEvent, setEventUpload } from './manage-queries.ts'
import { lockEvent, type Actor } from './manage-service.ts'

/** Stores `file` as the event's ticket template; a refused file is a DomainError and nothing is stored. */
export async function uploadTicketTemplate(trx: Queryable, blobStore: BlobStore, actor: Actor, eventId: string, file: unknown) {
  await lockEvent(trx, actor, eventId)
  const upload = await checkUpload(file, 'ticket_template')
  const blobId = await blobStore.put(trx, {
    tenantId: actor.tenantId, purpose: 'ticket_template', contentType: upload.contentType, bytes: upload.bytes, isPublic: false,
  })
  await setEventUpload(trx, eventId, 'template', `/media/${blobId}`)
}

/** Tickets of the event print on a plain page again. */
export async function removeTicketTemplate(trx: Queryable, actor: Actor, eventId: string) {
  await lockEvent(trx, actor, eventId)
  await clearTicketTemplate(trx, eventId)
}

/** The tenant's event with what its template guide shows: the template's address and whether it is an image. */
export async function templateGuideData(trx: Queryable, actor: Actor, eventId: string) {
  const event = await findTenantEvent(trx, actor.tenantId, eventId)
  if (!event) throw new NotFoundError()
  const blobId = /^\/media\/([0-9a-f-]{36})$/.exec(event.ticket_template_url ?? '')?.[1]
  const blob = blobId ? await findTemplateBlob(trx, actor.tenantId, blobId) : undefined
  return {
    event,
    template: blob ? { url: event.ticket_template_url!, isImage: blob.content_type === 'image/png' || blob.content_type === 'image/jpeg' } : undefined,
  }
}
