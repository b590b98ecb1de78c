/** Column types shared by the table interfaces, and the enums of the schema. */
import type { ColumnType } from 'kysely'

export type CreatedAt = ColumnType<Date, Date | string | undefined, never>
export type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
export type Timestamp = ColumnType<Date, Date | string, Date | string>
/**
 * jsonb columns, all with a default of '{}'. Written as objects, never as JSON text: postgres.js
 * serialises jsonb parameters itself, so a string would be stored as a JSON string.
 */
export type Json<T = Record<string, unknown>> = ColumnType<T, T | undefined, T>

export type TenantStatus = 'pending' | 'active' | 'suspended'
export type UserRole = 'super_admin' | 'event_manager' | 'user' | 'scanner'
export type MembershipRole = 'manager' | 'scanner'
export type EventStatus = 'draft' | 'published' | 'ongoing' | 'completed' | 'cancelled'
export type ReservationStatus = 'held' | 'paid' | 'expired' | 'cancelled'
export type TicketStatus = 'available' | 'pending_payment' | 'paid' | 'active' | 'transferred' | 'used' | 'expired' | 'cancelled'
export type TransactionStatus =
  | 'pending' | 'completed' | 'failed' | 'refund_due' | 'refund_requested' | 'refunded' | 'partially_refunded'
export type PaymentFlagKind = 'phone_mismatch' | 'repeated_failures' | 'refund_due' | 'duplicate_payment' | 'refund_manual' | 'payout_manual'
export type RefundStatus = 'due' | 'requested' | 'completed' | 'manual'
export type PayoutStatus = 'due' | 'requested' | 'completed' | 'manual'
export type PayoutMethod = 'b2c' | 'by_hand'
export type RefundReason = 'tickets_gone' | 'duplicate_payment' | 'event_cancelled' | 'event_postponed' | 'organiser'
export type TransactionType = 'purchase' | 'resale' | 'transfer_fee'
export type TransferStatus = 'pending' | 'completed' | 'cancelled' | 'expired'
export type ListingStatus = 'active' | 'sold' | 'cancelled'
/** Why an active listing ended without a sale. */
export type ListingEndReason = 'withdrawn' | 'admitted' | 'event_cancelled' | 'ticket_gone'
export type ScanResult = 'valid' | 'duplicate' | 'invalid' | 'expired' | 'transferred' | 'cancelled' | 'unpaid'
export type NotificationType =
  | 'ticket_delivery'
  | 'payment_failed'
  | 'event_reminder'
  | 'transfer_confirmation'
  | 'password_reset'
  | 'verification_code'
  | 'staff_invitation'
  | 'email_verification'
  | 'event_cancelled'
  | 'event_postponed'
  | 'refund_issued'
  | 'refund_completed'
  | 'refund_failed'
  | 'transfer_otp'
  | 'transfer_received'
  | 'resale_sold'
  | 'payout_sent'
  | 'payout_manual'
  | 'waiting_list_offer'
export type NotificationChannel = 'email' | 'whatsapp' | 'both'
export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'bounced'
export type JobStatus = 'pending' | 'running' | 'done' | 'failed'

