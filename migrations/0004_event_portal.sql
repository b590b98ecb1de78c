-- Event portal: uploaded files (posters, ticket templates) and what the M-Pesa settings page may show.

-- Uploaded files. The bytes live here by default; with an S3-compatible store configured they live
-- there under storage_key and only the description stays here.
create table blobs (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid not null references tenants (id),
  purpose      text not null check (purpose in ('poster', 'ticket_template')),
  content_type text not null check (content_type in ('image/jpeg', 'image/png', 'image/webp', 'application/pdf')),
  byte_size    integer not null check (byte_size > 0),
  sha256       text not null,
  data         bytea,
  storage_key  text,
  -- posters are public once uploaded; ticket templates stay with the tenant
  is_public    boolean not null default false,
  created_at   timestamptz not null default now(),
  check ((data is null) <> (storage_key is null))
);
create index blobs_tenant_idx on blobs (tenant_id);

alter table blobs enable row level security;
alter table blobs force row level security;
create policy blobs_tenant on blobs
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy blobs_platform on blobs using ((select is_platform_context())) with check ((select is_platform_context()));
create policy blobs_public_read on blobs for select using (is_public);
grant select, insert, update, delete on blobs to ticketing_app;

-- The last four characters of the consumer key, so a manager recognises which key is stored.
alter table mpesa_credentials add column consumer_key_hint text not null default '';

-- Availability is public, but the holds behind it are other buyers' rows that row-level security hides.
-- This function counts them (a number, nothing else) as its owner. With FORCE ROW LEVEL SECURITY a
-- non-superuser owner is subject to policies too, hence the policy that lets the owner itself read.
create function held_ticket_count(p_ticket_type_id uuid, p_at timestamptz) returns integer
  language sql stable security definer set search_path = public
  as $$ select count(*)::int from tickets
        where ticket_type_id = p_ticket_type_id and status = 'pending_payment' and reserved_until > p_at $$;
revoke all on function held_ticket_count(uuid, timestamptz) from public;
grant execute on function held_ticket_count(uuid, timestamptz) to ticketing_app;
create policy tickets_owner_counting on tickets for select
  using (current_user = (select tableowner from pg_tables where schemaname = 'public' and tablename = 'tickets'));
