-- Row-level security. The app works as ticketing_app (not owner, not superuser, no BYPASSRLS): every
-- transaction it opens starts with set_config('role', 'ticketing_app', true) and the request context
-- (app.tenant_id, app.user_id, app.role), all transaction-scoped so pooled connections stay clean.

do $$
begin
  create role ticketing_app nologin nosuperuser nobypassrls noinherit;
exception when duplicate_object or unique_violation then
  null; -- roles are cluster-wide: another database on this server already made it
end $$;

-- The connecting role must be able to switch to ticketing_app (automatic for a superuser).
do $$
begin
  execute format('grant ticketing_app to %I', current_user);
exception when others then
  raise notice 'could not grant ticketing_app to %: %', current_user, sqlerrm;
end $$;

grant usage on schema public to ticketing_app;
grant select, insert, update, delete on all tables in schema public to ticketing_app;
grant usage, select on all sequences in schema public to ticketing_app;
alter default privileges in schema public grant select, insert, update, delete on tables to ticketing_app;
alter default privileges in schema public grant usage, select on sequences to ticketing_app;
-- the audit log is append-only for the app
revoke update, delete on audit_log from ticketing_app;

-- Platform staff (super admins) and background work (jobs, payment callbacks resolved to a tenant
-- by the service) see across tenants. Anyone else sees a tenant's rows only inside its context.
create function is_platform_context() returns boolean
  language sql stable as $$ select coalesce(current_app_role() in ('super_admin', 'system'), false) $$;

-- Tenant-owned tables: the same two policies on each.
do $$
declare
  t text;
begin
  foreach t in array array['events', 'ticket_types', 'tickets', 'transactions', 'transfers',
                           'marketplace_listings', 'scans', 'scanner_assignments', 'notifications',
                           'idempotency_keys', 'memberships', 'mpesa_credentials', 'audit_log']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy %I on %I
                      using (tenant_id = (select current_tenant_id()))
                      with check (tenant_id = (select current_tenant_id()))$p$, t || '_tenant', t);
    execute format($p$create policy %I on %I
                      using ((select is_platform_context()))
                      with check ((select is_platform_context()))$p$, t || '_platform', t);
  end loop;
end $$;

-- Published (non-draft) events and their ticket types are public.
create policy events_public_read on events for select using (status <> 'draft');
create policy ticket_types_public_read on ticket_types for select
  using (exists (select 1 from events e where e.id = ticket_types.event_id and e.status <> 'draft'));

-- Buyers reach their own rows across tenants.
create policy tickets_owner_read on tickets for select using (user_id = (select current_app_user_id()));
create policy transactions_owner_read on transactions for select using (user_id = (select current_app_user_id()));
create policy transfers_party_read on transfers for select
  using ((select current_app_user_id()) in (from_user_id, to_user_id));
create policy notifications_owner_read on notifications for select using (user_id = (select current_app_user_id()));
create policy memberships_own_read on memberships for select using (user_id = (select current_app_user_id()));
create policy scanner_assignments_own_read on scanner_assignments for select
  using (user_id = (select current_app_user_id()));
create policy marketplace_listings_public_read on marketplace_listings for select using (status = 'active');
create policy marketplace_listings_seller_read on marketplace_listings for select
  using (seller_id = (select current_app_user_id()));
-- Platform-level audit entries (logins, failed logins) are written from any context, read by platform staff.
create policy audit_log_platform_insert on audit_log for insert with check (tenant_id is null);

-- Tenants: members see their own tenant, everyone sees active organisers.
alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenants_member_read on tenants for select using (id = (select current_tenant_id()));
create policy tenants_public_read on tenants for select using (status = 'active');
create policy tenants_platform on tenants using ((select is_platform_context())) with check ((select is_platform_context()));

-- Users and sessions are not tenant-owned, but still private: a person sees their own, a tenant's staff
-- see the people of their tenant (staff and ticket holders), platform staff see all.
alter table users enable row level security;
alter table users force row level security;
create policy users_self on users using (id = (select current_app_user_id())) with check (id = (select current_app_user_id()));
create policy users_platform on users using ((select is_platform_context())) with check ((select is_platform_context()));
create policy users_tenant_staff_read on users for select
  using (exists (select 1 from memberships m where m.user_id = users.id and m.tenant_id = (select current_tenant_id()))
      or exists (select 1 from tickets t where t.user_id = users.id and t.tenant_id = (select current_tenant_id())));

alter table sessions enable row level security;
alter table sessions force row level security;
create policy sessions_owner on sessions using (user_id = (select current_app_user_id()))
  with check (user_id = (select current_app_user_id()));
create policy sessions_platform on sessions using ((select is_platform_context())) with check ((select is_platform_context()));

alter table jobs enable row level security;
alter table jobs force row level security;
create policy jobs_platform on jobs using ((select is_platform_context())) with check ((select is_platform_context()));
