-- Accounts: session lifetimes, re-authentication, single-use tokens (password reset, email and phone
-- verification, staff invitations) and who applied for a tenant.

alter table sessions
  add column kind text not null default 'buyer' check (kind in ('buyer', 'staff')),
  -- staff sessions end after this much inactivity
  add column idle_timeout_seconds integer,
  -- last time the person typed their password in this session (sensitive actions ask again after a while)
  add column authenticated_at timestamptz not null default now(),
  -- the tenant a manager or scanner is working in
  add column active_tenant_id uuid references tenants (id);

alter table tenants add column applicant_user_id uuid references users (id);

-- Only a SHA-256 hash of each token is stored; the token itself travels once, in an email or a message.
create table one_time_tokens (
  id          uuid primary key default gen_random_uuid(),
  purpose     text not null check (purpose in ('password_reset', 'email_verification', 'phone_verification',
                                                'staff_invitation')),
  token_hash  text not null unique,
  user_id     uuid references users (id) on delete cascade,
  -- the email or phone the token was sent to
  target      text not null,
  -- the tenant a staff invitation is for (platform-only table, so not a tenant-owned row)
  for_tenant_id uuid references tenants (id) on delete cascade,
  metadata    jsonb not null default '{}',
  attempts    integer not null default 0,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  used_at     timestamptz
);
create index one_time_tokens_user_idx on one_time_tokens (user_id, purpose);
create index one_time_tokens_tenant_idx on one_time_tokens (for_tenant_id);

-- Tokens are handled by the accounts service in the platform context only.
alter table one_time_tokens enable row level security;
alter table one_time_tokens force row level security;
create policy one_time_tokens_platform on one_time_tokens
  using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update, delete on one_time_tokens to ticketing_app;
