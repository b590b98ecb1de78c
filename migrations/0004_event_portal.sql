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
