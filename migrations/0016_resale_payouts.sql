-- Payouts of resale money to sellers, and the organiser's resale fee.
--
-- A resale buyer pays the listing price to the organiser's shortcode (a `resale` transaction). Of it the platform
-- keeps its commission (commission_minor on the transaction, at the tenant's rate), the organiser keeps their
-- resale fee (events.resale_fee_pct of the price, rounded), and the rest is the seller's: one payout row, written in
-- the same database transaction that moves the ticket to the buyer. A payout is sent with Daraja B2C from the
-- organiser's shortcode, or, without B2C credentials, waits for the manager to pay it by hand and mark it paid.
--
--   due        to send (again) at next_attempt_at
--   requested  sent to Daraja, waiting for its result callback (conversation ids kept)
--   completed  paid: by B2C (receipt kept) or by hand (paid_by, note)
--   manual     to pay by hand: no B2C credentials, or refused too often (flagged); never lost
alter table events add column resale_fee_pct integer not null default 0 check (resale_fee_pct between 0 and 50);

create table payouts (
  id                          uuid primary key default gen_random_uuid(),
  tenant_id                   uuid not null references tenants (id),
  event_id                    uuid not null references events (id),
  -- the resale payment whose money this pays out; one payout per payment
  transaction_id              uuid not null unique references transactions (id),
  listing_id                  uuid references marketplace_listings (id),
  seller_id                   uuid references users (id),
  -- the seller's M-Pesa number, 2547XXXXXXXX / 2541XXXXXXXX
  phone                       text not null check (phone ~ '^254[17][0-9]{8}$'),
  amount_minor                integer not null check (amount_minor > 0),
  organiser_fee_minor         integer not null default 0 check (organiser_fee_minor >= 0),
  currency                    char(3) not null default 'KES',
  status                      text not null default 'due' check (status in ('due', 'requested', 'completed', 'manual')),
  method                      text check (method in ('b2c', 'by_hand')),
  attempts                    integer not null default 0 check (attempts >= 0),
  next_attempt_at             timestamptz not null default now(),
  callback_secret_hash        text,
  conversation_id             text unique,
  originator_conversation_id  text,
  result_code                 text,
  result_description          text check (length(result_description) <= 300),
  receipt                     text check (length(receipt) <= 40),
  paid_by                     uuid references users (id),
  note                        text check (length(note) <= 300),
  created_at                  timestamptz not null default now(),
  updated_at                  timestamptz not null default now(),
  completed_at                timestamptz
);
create index payouts_tenant_idx on payouts (tenant_id, created_at);
create index payouts_event_idx on payouts (event_id);
create index payouts_seller_idx on payouts (seller_id);
create index payouts_due_idx on payouts (next_attempt_at) where status = 'due';
alter table payouts enable row level security;
alter table payouts force row level security;
create policy payouts_tenant on payouts
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy payouts_platform on payouts using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update, delete on payouts to ticketing_app;

-- payouts that keep failing get a flag, as refunds do
alter table payment_flags drop constraint payment_flags_kind_check;
alter table payment_flags add constraint payment_flags_kind_check
  check (kind in ('phone_mismatch', 'repeated_failures', 'refund_due', 'duplicate_payment', 'refund_manual', 'payout_manual'));
