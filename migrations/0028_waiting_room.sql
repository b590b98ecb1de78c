-- The waiting room in front of a high-demand sale, and the waiting list of a sold-out ticket type.
--
-- An event in high demand sends buyers through a queue before they may hold: arrivals before the sale opens
-- are drawn in random order at the opening, later ones follow first come first served, and the queue admits
-- a set number a minute while tickets remain. A manager turns it on, or it turns on by itself when hold
-- requests for the event pass auto_queue_threshold a minute.
alter table events
  add column high_demand boolean not null default false,
  -- admissions a minute; null: the deployment's measured default (WAITING_ROOM_ADMISSIONS_PER_MINUTE)
  add column admission_per_minute integer check (admission_per_minute between 1 and 100000),
  -- hold requests a minute that turn high demand on; null: only by hand
  add column auto_queue_threshold integer check (auto_queue_threshold between 10 and 1000000);

-- The queue itself, when no Redis is configured (src/waitroom/postgres-queue-store.ts). Not tenant data: a
-- random browser id and a place, nothing about a person. score < 1: drawn at random before the opening;
-- score >= 1: 1 + the arrival's number after it (one sequence for every event: only the order counts).
create sequence waiting_room_arrivals;
create table waiting_room_entries (
  event_id uuid not null references events (id) on delete cascade,
  browser_id text not null check (length(browser_id) between 16 and 64),
  score double precision not null,
  admitted_until timestamptz,
  joined_at timestamptz not null default now(),
  primary key (event_id, browser_id)
);
create index waiting_room_entries_order_idx on waiting_room_entries (event_id, score);

-- How far the queue has admitted (fractional: it grows by the rate over time while tickets remain).
create table waiting_room_gates (
  event_id uuid primary key references events (id) on delete cascade,
  admitted double precision not null default 0,
  advanced_at timestamptz not null
);
grant select, insert, update, delete on waiting_room_entries, waiting_room_gates to ticketing_app;
grant usage, select on sequence waiting_room_arrivals to ticketing_app;

-- The waiting list of a sold-out ticket type: a phone or an email, offered returned tickets in turn.
create table waiting_list_entries (
  id uuid primary key default gen_random_uuid(),
  -- sign-up order: who is offered first
  seq bigint generated always as identity,
  tenant_id uuid not null references tenants (id),
  event_id uuid not null references events (id) on delete cascade,
  ticket_type_id uuid not null references ticket_types (id) on delete cascade,
  email text check (length(email) between 3 and 254),
  phone text check (phone ~ '^254[0-9]{9}$'),
  lang text not null default 'en' check (lang in ('en', 'sw')),
  -- the public origin the buyer signed up on: the offer's link goes there
  origin text not null check (length(origin) <= 200),
  status text not null default 'waiting' check (status in ('waiting', 'offered', 'claimed', 'lapsed')),
  -- SHA-256 of the offer link's secret, while an offer stands
  offer_token_hash text check (length(offer_token_hash) = 64),
  offered_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (email is not null or phone is not null)
);
create index waiting_list_entries_queue_idx on waiting_list_entries (ticket_type_id, status, seq);
create unique index waiting_list_entries_email_idx on waiting_list_entries (ticket_type_id, lower(email))
  where email is not null and status in ('waiting', 'offered');
create unique index waiting_list_entries_phone_idx on waiting_list_entries (ticket_type_id, phone)
  where phone is not null and status in ('waiting', 'offered');
grant select, insert, update, delete on waiting_list_entries to ticketing_app;

alter table waiting_list_entries enable row level security;
alter table waiting_list_entries force row level security;
create policy waiting_list_entries_tenant on waiting_list_entries
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy waiting_list_entries_platform on waiting_list_entries
  using ((select is_platform_context())) with check ((select is_platform_context()));
-- anyone may put themselves on the list of a published event's ticket type (and read nothing back)
create policy waiting_list_entries_public_insert on waiting_list_entries for insert
  with check (exists (select 1 from ticket_types tt join events e on e.id = tt.event_id
                      where tt.id = waiting_list_entries.ticket_type_id and e.id = waiting_list_entries.event_id
                        and e.tenant_id = waiting_list_entries.tenant_id and e.status <> 'draft'));

-- the people on a waiting list are offered returned tickets
alter table notifications drop constraint if exists notifications_type_check;
alter table notifications add constraint notifications_type_check check (type in (
  'ticket_delivery', 'payment_failed', 'event_reminder', 'transfer_confirmation', 'password_reset',
  'verification_code', 'staff_invitation', 'email_verification',
  'event_cancelled', 'event_postponed', 'refund_issued', 'refund_completed', 'refund_failed',
  'transfer_otp', 'transfer_received', 'resale_sold', 'payout_sent', 'payout_manual', 'waiting_list_offer'));
