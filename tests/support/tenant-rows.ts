/** One row in every tenant-owned table for a tenant, so isolation can be checked table by table. */
import type { Database } from '../../src/db/database.ts'
import { asSystem, createEvent, createTenant, createUser, unique } from './fixtures.ts'

export const TENANT_OWNED_TABLES = [
  'events', 'ticket_types', 'tickets', 'transactions', 'transfers', 'marketplace_listings', 'scans',
  'scanner_assignments', 'notifications', 'idempotency_keys', 'memberships', 'mpesa_credentials', 'audit_log',
  'blobs', 'reservations', 'ticket_signing_keys', 'payment_flags', 'refunds', 'payouts',
  'notification_templates', 'scanner_devices', 'saved_reports', 'export_jobs', 'waiting_list_entries', 'ticket_type_availability',
] as const

export type TenantOwnedTable = (typeof TENANT_OWNED_TABLES)[number]

export async function createTenantWithRows(db: Database) {
  const tenant = await createTenant(db)
  const published = await createEvent(db, tenant.id, { status: 'published' })
  const draft = await createEvent(db, tenant.id, { status: 'draft' })
  const buyer = await createUser(db)
  const recipient = await createUser(db)
  const scanner = await createUser(db, { role: 'scanner' })
  const manager = published.manager
  const type = published.ticketTypes[0]!
  await asSystem(db, async (trx) => {
    const ticket = await trx.insertInto('tickets').values({
      tenant_id: tenant.id, event_id: published.event.id, ticket_type_id: type.id, user_id: buyer.id,
      original_user_id: buyer.id, price_minor: type.price_minor, status: 'active', qr_code: unique('qr'),
    }).returning('id').executeTakeFirstOrThrow()
    await trx.insertInto('reservations').values({
      tenant_id: tenant.id, event_id: published.event.id, user_id: buyer.id, status: 'paid',
      expires_at: new Date(Date.now() + 600_000), access_token_hash: unique('hash'), total_minor: type.price_minor,
    }).execute()
    const transaction = await trx.insertInto('transactions').values({
      tenant_id: tenant.id, ticket_id: ticket.id, event_id: published.event.id, user_id: buyer.id,
      amount_minor: type.price_minor, commission_minor: 7_500, status: 'completed',
      mpesa_receipt_number: unique('RCP'), checkout_request_id: unique('ws_CO'),
    }).returning('id').executeTakeFirstOrThrow()
    await trx.insertInto('payment_flags').values({
      tenant_id: tenant.id, event_id: published.event.id, transaction_id: transaction.id, kind: 'phone_mismatch',
    }).execute()
    await trx.insertInto('refunds').values({
      tenant_id: tenant.id, event_id: published.event.id, transaction_id: transaction.id, amount_minor: type.price_minor,
      reason: 'organiser', status: 'completed',
    }).execute()
    await trx.insertInto('payouts').values({
      tenant_id: tenant.id, event_id: published.event.id, transaction_id: transaction.id, seller_id: buyer.id,
      phone: '254712345678', amount_minor: type.price_minor, status: 'manual',
    }).execute()
    await trx.insertInto('transfers').values({
      tenant_id: tenant.id, ticket_id: ticket.id, from_user_id: buyer.id, to_user_id: recipient.id,
    }).execute()
    // cancelled, so it is not on the public marketplace
    await trx.insertInto('marketplace_listings').values({
      tenant_id: tenant.id, ticket_id: ticket.id, event_id: published.event.id, seller_id: buyer.id,
      original_price_minor: type.price_minor, listing_price_minor: type.price_minor, status: 'cancelled',
    }).execute()
    await trx.insertInto('scans').values({
      tenant_id: tenant.id, ticket_id: ticket.id, event_id: published.event.id, scanner_id: scanner.id,
      scan_result: 'valid',
    }).execute()
    await trx.insertInto('scanner_devices').values({
      tenant_id: tenant.id, user_id: scanner.id, device_id: unique('phone'), token_hash: unique('hash'),
      expires_at: new Date(Date.now() + 3600_000),
    }).execute()
    await trx.insertInto('scanner_assignments').values({
      tenant_id: tenant.id, event_id: published.event.id, user_id: scanner.id,
    }).execute()
    await trx.insertInto('notifications').values({
      tenant_id: tenant.id, user_id: buyer.id, event_id: published.event.id, ticket_id: ticket.id,
      type: 'ticket_delivery', channel: 'email', content: { subject: 'Your ticket' },
    }).execute()
    await trx.insertInto('notification_templates').values({
      tenant_id: tenant.id, type: 'ticket_delivery', lang: 'en', subject: 'Your tickets', body: 'Tickets: {{ticketsLink}}',
    }).execute()
    await trx.insertInto('idempotency_keys').values({
      tenant_id: tenant.id, scope: 'reservation', key: unique('key'), request_hash: 'h',
      expires_at: new Date(Date.now() + 3600_000),
    }).execute()
    await trx.insertInto('memberships').values([
      { tenant_id: tenant.id, user_id: manager.id, role: 'manager' },
      { tenant_id: tenant.id, user_id: scanner.id, role: 'scanner' },
    ]).execute()
    await trx.insertInto('mpesa_credentials').values({
      tenant_id: tenant.id, environment: 'sandbox', account_type: 'paybill', shortcode: '174379',
      encrypted_secrets: 'v1:ciphertext', key_id: 'k1',
    }).execute()
    await trx.insertInto('ticket_signing_keys').values({
      tenant_id: tenant.id, key_id: 1, public_key: 'pk', sealed_private_key: 'v1.k.iv.data',
    }).execute()
    // a ticket template: private to the tenant (posters are public)
    await trx.insertInto('blobs').values({
      tenant_id: tenant.id, purpose: 'ticket_template', content_type: 'application/pdf', byte_size: 4, sha256: 'x',
      data: new TextEncoder().encode('%PDF'),
    }).execute()
    await trx.insertInto('saved_reports').values({
      tenant_id: tenant.id, created_by: manager.id, name: 'Door list', dataset: 'attendees', columns: ['ticket', 'holder'],
    }).execute()
    await trx.insertInto('export_jobs').values({
      tenant_id: tenant.id, requested_by: manager.id, dataset: 'attendees', file_type: 'csv', columns: ['ticket'],
    }).execute()
    await trx.insertInto('waiting_list_entries').values({
      tenant_id: tenant.id, event_id: published.event.id, ticket_type_id: type.id, email: `${unique('wait')}@example.test`,
      origin: 'http://localhost',
    }).execute()
    await trx.insertInto('audit_log').values({
      tenant_id: tenant.id, actor_user_id: manager.id, action: 'event.published', target_type: 'event',
      target_id: published.event.id,
    }).execute()
  })
  return { tenant, manager, buyer, scanner, publishedEvent: published.event, draftEvent: draft.event }
}
