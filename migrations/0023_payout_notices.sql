-- Payouts by Daraja B2C: the sellers' notices, and the secret of a payout's result URL.
--
-- A payout keeps one result URL for its whole life (…/b2c/{payoutId}/{secret}/result and /timeout): a result
-- that comes late, after a queue timeout made us send the same OriginatorConversationID again, must still be
-- taken, or a seller paid by M-Pesa would be paid again by hand. The URL's secret is kept as its SHA-256
-- (callback_secret_hash, to check a result) and sealed with SECRETS_KEYS (to build the URL again when resending);
-- B2C is only sent with those keys, as the organiser's credentials are sealed with them too.
alter table payouts add column callback_secret_sealed text check (length(callback_secret_sealed) <= 400);

-- the seller is told when their payout is sent and when it waits to be paid by hand
alter table notifications drop constraint if exists notifications_type_check;
alter table notifications add constraint notifications_type_check check (type in (
  'ticket_delivery', 'payment_failed', 'event_reminder', 'transfer_confirmation', 'password_reset',
  'verification_code', 'staff_invitation', 'email_verification',
  'event_cancelled', 'event_postponed', 'refund_issued', 'refund_completed', 'refund_failed',
  'transfer_otp', 'transfer_received', 'resale_sold', 'payout_sent', 'payout_manual'));
