/**
 * Read and write queries of the organiser portal's event pages. Each names the tenant as well as
 * relying on row-level security, so another tenant's event is simply not found.
 */
import type { Queryable } from '../db/database.ts'

/** The tenant's events for the portal's lists: by start, or newest first for the events page. */
export function listTenantEvents(db: Queryable, tenantId: string, options: { newestFirst?: boolean } = {}) {
  return db.selectFrom('events').select(['id', 'title', 'status', 'starts_at', 'venue_city']).where('tenant_id', '=', tenantId)
    .orderBy('starts_at', options.newestFirst ? 'desc' : 'asc').execute()
}

/** One of the tenant's events, every column, or undefined. */
export function findTenantEvent(db: Queryable, tenantId: string, eventId: string) {
  return db.selectFrom('events').selectAll().where('id', '=', eventId).where('tenant_id', '=', tenantId).executeTakeFirst()
}

/** An event's ticket types, every column, in their display order. */
export function listTicketTypesForManager(db: Queryable, eventId: string) {
  return db.selectFrom('ticket_types').selectAll().where('event_id', '=', eventId).orderBy('sort_order').execute()
}

/** Points the event's poster or ticket template at an uploaded file. */
export async function setEventUpload(db: Queryable, eventId: string, purpose: 'poster' | 'template', url: string) {
  await db.updateTable('events').set(purpose === 'poster' ? { poster_urls: [url] } : { ticket_template_url: url })
    .where('id', '=', eventId).execute()
}

/** The event's ticket template is no more: its tickets print on a plain page (the file stays, a copied event may still use it). */
export async function clearTicketTemplate(db: Queryable, eventId: string) {
  await db.updateTable('events').set({ ticket_template_url: null }).where('id', '=', eventId).execute()
}

/** The content type of the event's ticket template, when it has one stored. */
export async function findTemplateBlob(db: Queryable, tenantId: string, blobId: string) {
  return db.selectFrom('blobs').select(['id', 'content_type']).where('id', '=', blobId).where('tenant_id', '=', tenantId).executeTakeFirst()
}
