-- The resale marketplace. A seller lists an active ticket at a price up to the event's cap (max_price_minor) and
-- names the M-Pesa number their payout goes to. A buyer holds a listing with a reservation that names it
-- (reservations.listing_id): a listing is held while such a reservation is `held` and unexpired, so the hold ends at
-- its time without any job, and a payment prompt extends it as it extends any hold. The buyer pays that reservation
-- through the ordinary checkout (a `resale` transaction); the settlement (src/resale/resale-settlement.ts) sells the
-- listing in the same database transaction as the payment: sold_transaction_id, buyer_id, one payouts row.
alter table marketplace_listings
  add column payout_phone        text check (payout_phone ~ '^254[17][0-9]{8}$'),
  add column lang                text not null default 'en' check (lang in ('en', 'sw')),
  add column buyer_id            uuid references users (id),
  add column sold_transaction_id uuid unique references transactions (id),
  -- why an active listing stopped being one without a sale
  add column ended_at            timestamptz,
  add column end_reason          text check (end_reason in ('withdrawn', 'admitted', 'event_cancelled', 'ticket_gone'));

-- at most one live listing per ticket, whatever two requests do at once
create unique index resale_one_active_listing_idx on marketplace_listings (ticket_id) where status = 'active';
create index resale_listings_event_status_idx on marketplace_listings (event_id, status);

alter table reservations add column listing_id uuid references marketplace_listings (id);
create index resale_reservations_listing_idx on reservations (listing_id) where listing_id is not null;

-- the seller's message when their ticket sells (the full list: 0013's, plus this one)
alter table notifications drop constraint if exists notifications_type_check;
alter table notifications add constraint notifications_type_check check (type in (
  'ticket_delivery', 'payment_failed', 'event_reminder', 'transfer_confirmation', 'password_reset',
  'verification_code', 'staff_invitation', 'email_verification',
  'event_cancelled', 'event_postponed', 'refund_issued', 'refund_completed', 'refund_failed',
  'transfer_otp', 'transfer_received', 'resale_sold'));
