-- Core schema: every collection of the specification, plus tenants, memberships, sessions, jobs,
-- idempotency keys and the audit log. Money is integer minor units with a currency; time is timestamptz.
-- Frozen once released: later changes go in new files.

-- Request context, set per transaction with set_config(…, true). Missing or empty settings give NULL,
-- so every policy below fails closed.
create or replace function current_tenant_id() returns uuid
  language sql stable as $$ select nullif(current_setting('app.tenant_id', true), '')::uuid $$;
create or replace function current_app_user_id() returns uuid
  language sql stable as $$ select nullif(current_setting('app.user_id', true), '')::uuid $$;
create or replace function current_app_role() returns text
  language sql stable as $$ select nullif(current_setting('app.role', true), '') $$;

create table tenants (
  id                  uuid primary key default gen_random_uuid(),
  name                text not null check (length(name) between 1 and 120),
  slug                text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  status              text not null default 'pending' check (status in ('pending', 'active', 'suspended')),
  -- platform commission in basis points (500 = 5%)
  commission_rate_bps integer not null default 500 check (commission_rate_bps between 0 and 10000),
  contact_email       text,
  contact_phone       text,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create index tenants_status_idx on tenants (status);

create table users (
  id                uuid primary key default gen_random_uuid(),
  email             text check (email is null or (length(email) <= 254 and position('@' in email) > 1)),
  password_hash     text,
  name              text check (name is null or length(name) between 1 and 120),
  phone             text check (phone is null or phone ~ '^254[0-9]{9}$'),
  role              text not null default 'user' check (role in ('super_admin', 'event_manager', 'user', 'scanner')),
  is_guest          boolean not null default false,
  email_verified_at timestamptz,
  phone_verified_at timestamptz,
  google_sub        text unique,
  preferred_lang    text not null default 'en' check (preferred_lang in ('en', 'sw')),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  check (is_guest or (email is not null and name is not null)),
  check (email is not null or phone is not null)
);
create unique index users_email_key on users (lower(email)) where email is not null and not is_guest;
create index users_role_idx on users (role);
create index users_phone_idx on users (phone);

create table memberships (
  id         uuid primary key default gen_random_uuid(),
  tenant_id  uuid not null references tenants (id) on delete cascade,
  user_id    uuid not null references users (id) on delete cascade,
  role       text not null check (role in ('manager', 'scanner')),
  created_at timestamptz not null default now(),
  unique (tenant_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table sessions (
  id             uuid primary key default gen_random_uuid(),
  user_id        uuid not null references users (id) on delete cascade,
  token_hash     text not null unique,
  user_agent     text,
  created_at     timestamptz not null default now(),
  last_seen_at   timestamptz not null default now(),
  expires_at     timestamptz not null,
  revoked_at     timestamptz
);
create index sessions_user_idx on sessions (user_id);

create table events (
  id                    uuid primary key default gen_random_uuid(),
  tenant_id             uuid not null references tenants (id),
  manager_id            uuid not null references users (id),
  slug                  text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
  title                 text not null check (length(title) between 1 and 160),
  description           text not null default '',
  starts_at             timestamptz not null,
  ends_at               timestamptz,
  venue_name            text not null,
  venue_address         text not null default '',
  venue_city            text not null,
  venue_latitude        double precision check (venue_latitude between -90 and 90),
  venue_longitude       double precision check (venue_longitude between -180 and 180),
  poster_urls           text[] not null default '{}',
  status                text not null default 'draft'
                        check (status in ('draft', 'published', 'ongoing', 'completed', 'cancelled')),
  total_capacity        integer not null check (total_capacity > 0),
  currency              char(3) not null default 'KES',
  allow_transfers       boolean not null default true,
  allow_resale          boolean not null default false,
  max_transfers         integer not null default 2 check (max_transfers between 0 and 3),
  transfer_fee_minor    integer not null default 0 check (transfer_fee_minor >= 0),
  resale_price_cap_pct  integer not null default 100 check (resale_price_cap_pct between 0 and 1000),
  hold_minutes          integer not null default 10 check (hold_minutes between 1 and 60),
  ticket_template_url   text,
  terms_and_conditions  text not null default '',
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  check (ends_at is null or ends_at > starts_at)
);
create index events_tenant_idx on events (tenant_id);
create index events_manager_idx on events (manager_id);
create index events_status_idx on events (status);
create index events_starts_at_idx on events (starts_at);

-- M-Pesa credentials per tenant, encrypted at rest (AES-GCM, key id for rotation).
create table mpesa_credentials (
  tenant_id            uuid primary key references tenants (id) on delete cascade,
  environment          text not null check (environment in ('sandbox', 'production')),
  account_type         text not null check (account_type in ('paybill', 'till')),
  shortcode            text not null check (shortcode ~ '^[0-9]{5,7}$'),
  encrypted_secrets    text not null,
  key_id               text not null,
  updated_at           timestamptz not null default now()
);

create table ticket_types (
  id            uuid primary key default gen_random_uuid(),
  tenant_id     uuid not null references tenants (id),
  event_id      uuid not null references events (id) on delete cascade,
  name          text not null check (length(name) between 1 and 80),
  description   text not null default '',
  price_minor   integer not null check (price_minor >= 0),
  currency      char(3) not null default 'KES',
  capacity      integer not null check (capacity > 0),
  sold          integer not null default 0 check (sold >= 0),
  sales_start   timestamptz,
  sales_end     timestamptz,
  max_per_order integer not null default 10 check (max_per_order between 1 and 50),
  sort_order    integer not null default 0,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (event_id, name),
  check (sold <= capacity),
  check (sales_end is null or sales_start is null or sales_end > sales_start)
);
create index ticket_types_tenant_idx on ticket_types (tenant_id);
create index ticket_types_event_idx on ticket_types (event_id);

create table transactions (
  id                   uuid primary key default gen_random_uuid(),
  tenant_id            uuid not null references tenants (id),
  ticket_id            uuid,
  event_id             uuid not null references events (id),
  user_id              uuid references users (id),
  amount_minor         integer not null check (amount_minor >= 0),
  commission_minor     integer not null default 0 check (commission_minor >= 0),
  currency             char(3) not null default 'KES',
  status               text not null default 'pending' check (status in ('pending', 'completed', 'failed', 'refunded')),
  transaction_type     text not null default 'purchase' check (transaction_type in ('purchase', 'resale', 'transfer_fee')),
  mpesa_receipt_number text unique,
  mpesa_phone          text,
  checkout_request_id  text unique,
  merchant_request_id  text,
  failure_reason       text,
  created_at           timestamptz not null default now(),
  completed_at         timestamptz
);
create index transactions_tenant_idx on transactions (tenant_id);
create index transactions_ticket_idx on transactions (ticket_id);
create index transactions_event_idx on transactions (event_id);
create index transactions_user_idx on transactions (user_id);

create table tickets (
  id               uuid primary key default gen_random_uuid(),
  tenant_id        uuid not null references tenants (id),
  event_id         uuid not null references events (id),
  ticket_type_id   uuid not null references ticket_types (id),
  user_id          uuid references users (id),
  original_user_id uuid references users (id),
  price_minor      integer not null check (price_minor >= 0),
  currency         char(3) not null default 'KES',
  status           text not null default 'pending_payment'
                   check (status in ('pending_payment', 'paid', 'active', 'transferred', 'used', 'expired', 'cancelled')),
  qr_code          text unique,
  qr_version       integer not null default 1 check (qr_version >= 1),
  transaction_id   uuid references transactions (id),
  transfer_count   integer not null default 0 check (transfer_count >= 0),
  reserved_until   timestamptz,
  scanned_at       timestamptz,
  scanned_by       uuid references users (id),
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now()
);
create index tickets_tenant_idx on tickets (tenant_id);
create index tickets_event_idx on tickets (event_id);
create index tickets_user_idx on tickets (user_id);
create index tickets_status_idx on tickets (status);
create index tickets_reserved_until_idx on tickets (reserved_until);
create index tickets_ticket_type_idx on tickets (ticket_type_id);
alter table transactions add foreign key (ticket_id) references tickets (id);

create table transfers (
  id                 uuid primary key default gen_random_uuid(),
  tenant_id          uuid not null references tenants (id),
  ticket_id          uuid not null references tickets (id),
  from_user_id       uuid not null references users (id),
  to_user_id         uuid references users (id),
  status             text not null default 'pending' check (status in ('pending', 'completed', 'cancelled')),
  -- only a hash of the one-time code is ever stored
  otp_hash           text,
  otp_verified       boolean not null default false,
  old_qr_code        text,
  new_qr_code        text,
  transfer_fee_minor integer not null default 0 check (transfer_fee_minor >= 0),
  created_at         timestamptz not null default now(),
  completed_at       timestamptz
);
create index transfers_tenant_idx on transfers (tenant_id);
create index transfers_ticket_idx on transfers (ticket_id);
create index transfers_from_user_idx on transfers (from_user_id);
create index transfers_to_user_idx on transfers (to_user_id);
create index transfers_status_idx on transfers (status);

create table marketplace_listings (
  id                   uuid primary key default gen_random_uuid(),
  tenant_id            uuid not null references tenants (id),
  ticket_id            uuid not null references tickets (id),
  event_id             uuid not null references events (id),
  seller_id            uuid not null references users (id),
  original_price_minor integer not null check (original_price_minor >= 0),
  listing_price_minor  integer not null check (listing_price_minor > 0),
  max_price_minor      integer check (max_price_minor >= 0),
  currency             char(3) not null default 'KES',
  status               text not null default 'active' check (status in ('active', 'sold', 'cancelled')),
  created_at           timestamptz not null default now(),
  sold_at              timestamptz,
  check (max_price_minor is null or listing_price_minor <= max_price_minor)
);
create index marketplace_listings_tenant_idx on marketplace_listings (tenant_id);
create index marketplace_listings_event_idx on marketplace_listings (event_id);
create index marketplace_listings_ticket_idx on marketplace_listings (ticket_id);
create index marketplace_listings_seller_idx on marketplace_listings (seller_id);
create index marketplace_listings_status_idx on marketplace_listings (status);

create table scans (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null references tenants (id),
  ticket_id   uuid references tickets (id),
  event_id    uuid not null references events (id),
  scanner_id  uuid not null references users (id),
  scan_result text not null check (scan_result in ('valid', 'duplicate', 'invalid', 'expired', 'transferred')),
  latitude    double precision check (latitude between -90 and 90),
  longitude   double precision check (longitude between -180 and 180),
  device_info text,
  scanned_at  timestamptz not null default now(),
  synced_at   timestamptz
);
create index scans_tenant_idx on scans (tenant_id);
create index scans_ticket_idx on scans (ticket_id);
create index scans_event_idx on scans (event_id);
create index scans_scanner_idx on scans (scanner_id);
create index scans_scanned_at_idx on scans (scanned_at);

-- Scanners see only the events assigned to them.
create table scanner_assignments (
  tenant_id  uuid not null references tenants (id),
  event_id   uuid not null references events (id) on delete cascade,
  user_id    uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  primary key (event_id, user_id)
);
create index scanner_assignments_tenant_idx on scanner_assignments (tenant_id);
create index scanner_assignments_user_idx on scanner_assignments (user_id);

create table notifications (
  id          uuid primary key default gen_random_uuid(),
  -- null for platform messages (password resets, sign-in codes)
  tenant_id   uuid references tenants (id),
  user_id     uuid references users (id),
  event_id    uuid references events (id),
  ticket_id   uuid references tickets (id),
  type        text not null check (type in ('ticket_delivery', 'payment_failed', 'event_reminder',
                                             'transfer_confirmation', 'password_reset', 'verification_code',
                                             'staff_invitation')),
  channel     text not null check (channel in ('email', 'whatsapp', 'both')),
  status      text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'bounced')),
  email_id    text,
  whatsapp_id text,
  content     jsonb not null default '{}',
  retry_count integer not null default 0 check (retry_count >= 0),
  created_at  timestamptz not null default now(),
  sent_at     timestamptz
);
create index notifications_tenant_idx on notifications (tenant_id);
create index notifications_user_idx on notifications (user_id);
create index notifications_event_idx on notifications (event_id);
create index notifications_status_idx on notifications (status);
create index notifications_created_at_idx on notifications (created_at);

create table idempotency_keys (
  tenant_id     uuid not null references tenants (id),
  scope         text not null,
  key           text not null check (length(key) between 1 and 200),
  request_hash  text not null,
  status_code   integer,
  response_body jsonb,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null,
  primary key (tenant_id, scope, key)
);
create index idempotency_keys_expires_idx on idempotency_keys (expires_at);

-- Platform work queue for the Postgres scheduler (the local stand-in for QStash).
create table jobs (
  id           uuid primary key default gen_random_uuid(),
  kind         text not null,
  payload      jsonb not null default '{}',
  run_at       timestamptz not null default now(),
  status       text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  attempts     integer not null default 0,
  last_error   text,
  locked_until timestamptz,
  dedupe_key   text unique,
  created_at   timestamptz not null default now()
);
create index jobs_due_idx on jobs (run_at) where status = 'pending';

create table audit_log (
  id            bigint generated always as identity primary key,
  -- null for platform-level actions (logins, tenant approvals)
  tenant_id     uuid references tenants (id),
  actor_user_id uuid references users (id),
  action        text not null,
  target_type   text,
  target_id     text,
  metadata      jsonb not null default '{}',
  created_at    timestamptz not null default now()
);
create index audit_log_tenant_idx on audit_log (tenant_id, created_at);
create index audit_log_actor_idx on audit_log (actor_user_id);
