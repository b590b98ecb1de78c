-- Ticket signing keys: one Ed25519 key pair per tenant (more after a rotation), the private key sealed
-- with SECRETS_KEYS (AES-GCM, bound to the tenant). key_id goes into every signed code, so scanners
-- holding the public keys know which one verifies it.
create table ticket_signing_keys (
  tenant_id          uuid not null references tenants (id),
  key_id             integer not null check (key_id between 0 and 65535),
  public_key         text not null,
  sealed_private_key text not null,
  created_at         timestamptz not null default now(),
  retired_at         timestamptz,
  primary key (tenant_id, key_id)
);
alter table ticket_signing_keys enable row level security;
alter table ticket_signing_keys force row level security;
create policy ticket_signing_keys_tenant on ticket_signing_keys
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy ticket_signing_keys_platform on ticket_signing_keys
  using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update, delete on ticket_signing_keys to ticketing_app;
