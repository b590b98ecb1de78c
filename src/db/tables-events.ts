/** Tables of events, tickets, payments and what hangs off them. */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, EventStatus, PaymentFlagKind, RefundReason, RefundStatus, ReservationStatus, Json, ListingEndReason, ListingStatus, NotificationChannel, PayoutMethod, PayoutStatus, TicketStatus, Timestamp, TransactionStatus, TransactionType, TransferStatus, UpdatedAt } from './column-types.ts'

export interface EventTable {
  id: Generated<string>
  tenant_id: string
  manager_id: string
  slug: string
  title: string
  description: ColumnType<string, string | undefined, string>
  starts_at: Timestamp
  ends_at: Timestamp | null
  venue_name: string
  venue_address: ColumnType<string, string | undefined, string>
  venue_city: string
  venue_latitude: number | null
  venue_longitude: number | null
  poster_urls: ColumnType<string[], string[] | undefined, string[]>
  status: ColumnType<EventStatus, EventStatus | undefined, EventStatus>
  total_capacity: number
  currency: ColumnType<string, string | undefined, string>
  allow_transfers: ColumnType<boolean, boolean | undefined, boolean>
  allow_resale: ColumnType<boolean, boolean | undefined, boolean>
  max_transfers: ColumnType<number, number | undefined, number>
  transfer_fee_minor: ColumnType<number, number | undefined, number>
  resale_price_cap_pct: ColumnType<number, number | undefined, number>
  /** The organiser's resale fee, % of the listing price (0–50). */
  resale_fee_pct: ColumnType<number, number | undefined, number>
  hold_minutes: ColumnType<number, number | undefined, number>
  /** Buyers go through the waiting room before they may hold (src/waitroom). */
  high_demand: ColumnType<boolean, boolean | undefined, boolean>
  /** Admissions a minute; null: the deployment's default. */
  admission_per_minute: ColumnType<number | null, number | null | undefined, number | null>
  /** Hold requests a minute that turn high demand on by itself; null: by hand only. */
  auto_queue_threshold: ColumnType<number | null, number | null | undefined, number | null>
  whatsapp_ticket_pdf: ColumnType<boolean, boolean | undefined, boolean>
  ticket_template_url: string | null
  terms_and_conditions: ColumnType<string, string | undefined, string>
  /** A link to the full terms (https), printed on PDF tickets. */
  terms_url: ColumnType<string | null, string | null | undefined, string | null>
  /** The start it had before it was postponed (the first one, however often it moved). */
  postponed_from: Timestamp | null
  /** After a postponement: holders may ask for a refund until then. */
  refund_deadline: Timestamp | null
  cancelled_at: Timestamp | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type BlobPurpose = 'poster' | 'ticket_template'
export type BlobContentType = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf'

export interface BlobTable {
  id: Generated<string>
  tenant_id: string
  purpose: BlobPurpose
  content_type: BlobContentType
  byte_size: number
  sha256: string
  data: Uint8Array | null
  storage_key: string | null
  is_public: ColumnType<boolean, boolean | undefined, boolean>
  created_at: CreatedAt
}

export interface MpesaCredentialTable {
  tenant_id: string
  environment: 'sandbox' | 'production'
  account_type: 'paybill' | 'till'
  shortcode: string
  /** The B2C (bulk disbursement) shortcode resale payouts are paid from; none: payouts are paid by hand. */
  b2c_shortcode: ColumnType<string | null, string | null | undefined, string | null>
  encrypted_secrets: string
  key_id: string
  consumer_key_hint: ColumnType<string, string | undefined, string>
  updated_at: UpdatedAt
}

export interface TicketTypeTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  name: string
  description: ColumnType<string, string | undefined, string>
  price_minor: number
  currency: ColumnType<string, string | undefined, string>
  capacity: number
  sold: ColumnType<number, number | undefined, number>
  sales_start: Timestamp | null
  sales_end: Timestamp | null
  max_per_order: ColumnType<number, number | undefined, number>
  sort_order: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface TicketTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  ticket_type_id: string
  user_id: string | null
  original_user_id: string | null
  price_minor: number
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>
  qr_code: string | null
  qr_version: ColumnType<number, number | undefined, number>
  transaction_id: string | null
  transfer_count: ColumnType<number, number | undefined, number>
  reserved_until: Timestamp | null
  scanned_at: Timestamp | null
  scanned_by: string | null
  /** When a new hold may claim this row: -infinity available, hold expiry when held, +infinity sold. */
  claimable_after: ColumnType<Date, Date | string | undefined, Date | string>
  reservation_id: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
  /** Set by a trigger when status, QR version or admission change: scanners' manifest deltas. */
  gate_changed_at: ColumnType<Date, never, never>
}

export interface ReservationTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  user_id: string | null
  status: ColumnType<ReservationStatus, ReservationStatus | undefined, ReservationStatus>
  expires_at: Timestamp
  access_token_hash: string
  total_minor: number
  currency: ColumnType<string, string | undefined, string>
  /** What was held: ticket type, quantity and unit price per line. */
  items: Json<ReservationItem[]>
  /** Who asked for the hold (hold-limits.ts holdClientKey), for the cap on open holds per client. */
  client_key: ColumnType<string | null, string | null | undefined, string | null>
  /** A resale hold: the listing this reservation buys (it holds no ticket rows of its own). */
  listing_id: ColumnType<string | null, string | null | undefined, string | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface ReservationItem {
  ticketTypeId: string
  name: string
  quantity: number
  unitPriceMinor: number
  subtotalMinor: number
}

export interface TransactionTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string | null
  event_id: string
  user_id: string | null
  amount_minor: number
  commission_minor: ColumnType<number, number | undefined, number>
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<TransactionStatus, TransactionStatus | undefined, TransactionStatus>
  transaction_type: ColumnType<TransactionType, TransactionType | undefined, TransactionType>
  mpesa_receipt_number: string | null
  mpesa_phone: string | null
  checkout_request_id: string | null
  merchant_request_id: string | null
  failure_reason: string | null
  reservation_id: string | null
  /** SHA-256 of the secret in this payment's callback URL. */
  callback_secret_hash: string | null
  result_code: number | null
  /** The phone Daraja reports as having paid. */
  paid_phone: string | null
  refund_reason: string | null
  reversal_conversation_id: string | null
  lang: ColumnType<'en' | 'sw', 'en' | 'sw' | undefined, 'en' | 'sw'>
  /** The site the buyer used (PUBLIC_URL or the request's origin), for links in messages. */
  origin: string | null
  /** What has gone back to the buyer (completed refunds). */
  refunded_minor: ColumnType<number, number | undefined, number>
  /** Generated: the commission the platform keeps (none on a failed or refunded payment; see migration 0012). */
  commission_earned_minor: ColumnType<number, never, never>
  /** Generated: the organiser's share of money kept: amount - refunded - commission earned. */
  net_minor: ColumnType<number, never, never>
  /** Where the buyer asked to hear about this purchase (checkout's optional email and channel). */
  buyer_email: string | null
  notify_channel: NotificationChannel | null
  /** A transfer fee: the transfer it pays for (migration 0025). */
  transfer_id: ColumnType<string | null, string | null | undefined, string | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
  completed_at: Timestamp | null
}

export interface RefundTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  transaction_id: string
  amount_minor: number
  currency: ColumnType<string, string | undefined, string>
  reason: RefundReason
  note: string | null
  status: ColumnType<RefundStatus, RefundStatus | undefined, RefundStatus>
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: ColumnType<Date, Date | undefined, Date>
  callback_secret_hash: string | null
  reversal_conversation_id: string | null
  result_code: string | null
  /** The tickets a partial refund cancelled. */
  ticket_ids: ColumnType<string[], string[] | undefined, string[]>
  requested_by: string | null
  /** Who recorded a refund made by hand as done, and their reference for it. */
  completed_by: string | null
  manual_reference: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
  completed_at: Timestamp | null
}

/** A resale seller's money: sent by B2C, or paid by hand (migrations/0016_resale_payouts.sql). */
export interface PayoutTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  transaction_id: string
  listing_id: string | null
  seller_id: string | null
  phone: string
  amount_minor: number
  organiser_fee_minor: ColumnType<number, number | undefined, number>
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<PayoutStatus, PayoutStatus | undefined, PayoutStatus>
  method: PayoutMethod | null
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: ColumnType<Date, Date | undefined, Date>
  callback_secret_hash: string | null
  /** The result URL's secret, sealed with SECRETS_KEYS, to send the same URL again (migrations/0023). */
  callback_secret_sealed: ColumnType<string | null, string | null | undefined, string | null>
  conversation_id: string | null
  originator_conversation_id: string | null
  result_code: string | null
  result_description: string | null
  receipt: string | null
  paid_by: string | null
  note: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
  completed_at: Timestamp | null
}

export interface PaymentFlagTable {
  id: Generated<string>
  tenant_id: string
  event_id: string | null
  transaction_id: string | null
  kind: PaymentFlagKind
  detail: Json
  created_at: CreatedAt
}

export interface TransferTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string
  from_user_id: string
  to_user_id: string | null
  status: ColumnType<TransferStatus, TransferStatus | undefined, TransferStatus>
  otp_hash: string | null
  otp_verified: ColumnType<boolean, boolean | undefined, boolean>
  old_qr_code: string | null
  new_qr_code: string | null
  transfer_fee_minor: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  completed_at: Timestamp | null
  /** 2547… or a lower-case email: where the recipient's link and code go. */
  to_contact: ColumnType<string, string | undefined, string>
  to_channel: ColumnType<'whatsapp' | 'email', 'whatsapp' | 'email' | undefined, 'whatsapp' | 'email'>
  lang: ColumnType<string, string | undefined, string>
  /** A pending transfer ends here (24 hours after it started). */
  expires_at: ColumnType<Date, Date | undefined, Date>
  sender_code_hash: string | null
  sender_code_expires_at: Timestamp | null
  sender_attempts: ColumnType<number, number | undefined, number>
  sender_confirmed_at: Timestamp | null
  recipient_link_hash: string | null
  recipient_code_hash: string | null
  recipient_code_expires_at: Timestamp | null
  recipient_attempts: ColumnType<number, number | undefined, number>
  old_qr_version: number | null
  old_qr_hash: string | null
  new_qr_version: number | null
  new_qr_hash: string | null
  /** When it was cancelled or expired. */
  ended_at: Timestamp | null
  /** The `transfer_fee` payment that paid the event's fee, and when (migration 0025). */
  fee_transaction_id: ColumnType<string | null, string | null | undefined, string | null>
  fee_paid_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface MarketplaceListingTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string
  event_id: string
  seller_id: string
  original_price_minor: number
  listing_price_minor: number
  max_price_minor: number | null
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<ListingStatus, ListingStatus | undefined, ListingStatus>
  created_at: CreatedAt
  sold_at: Timestamp | null
  /** The seller's M-Pesa number for the payout, 2547…/2541…. */
  payout_phone: string | null
  lang: ColumnType<'en' | 'sw', 'en' | 'sw' | undefined, 'en' | 'sw'>
  buyer_id: string | null
  /** The resale payment that bought it. */
  sold_transaction_id: string | null
  /** The payment that bought the ticket its seller lists, and what the seat cost the seller (refunded less on cancellation). */
  seller_transaction_id: ColumnType<string | null, string | null | undefined, string | null>
  seller_paid_minor: ColumnType<number | null, number | null | undefined, number | null>
  ended_at: Timestamp | null
  end_reason: ListingEndReason | null
}

export interface TicketSigningKeyTable {
  tenant_id: string
  key_id: number
  public_key: string
  sealed_private_key: string
  created_at: CreatedAt
  retired_at: Timestamp | null
}
