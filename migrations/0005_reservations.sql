-- Reservations on pre-created ticket rows (one row per sellable ticket, as alf.io does): a hold claims
-- rows with FOR UPDATE SKIP LOCKED in one statement, so concurrent buyers never get the same ticket and
-- a type never sells past its capacity (bench/inventory-designs.mjs measured the designs).
--
-- claimable_after says when a row can be claimed by a new hold: -infinity while available, the hold's
-- expiry while held, +infinity once sold or withdrawn. An expired hold is claimable again at its expiry
-- without any job running: availability is `claimable_after <= now()`, one index range.

alter table tickets drop constraint tickets_status_check;
alter table tickets add constraint tickets_status_check
  check (status in ('available', 'pending_payment', 'paid', 'active', 'transferred', 'used', 'expired', 'cancelled'));
alter table tickets alter column status set default 'available';
alter table tickets add column claimable_after timestamptz not null default '-infinity';

create table reservations (
  id                uuid primary key default gen_random_uuid(),
  tenant_id         uuid not null references tenants (id),
  event_id          uuid not null references events (id),
  user_id           uuid references users (id),
  status            text not null default 'held' check (status in ('held', 'paid', 'expired', 'cancelled')),
  expires_at        timestamptz not null,
  -- the buyer's bearer token for this reservation; only its SHA-256 is kept
  access_token_hash text not null,
  total_minor       integer not null check (total_minor >= 0),
  currency          char(3) not null default 'KES',
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index reservations_tenant_idx on reservations (tenant_id);
create index reservations_event_idx on reservations (event_id);
create index reservations_user_idx on reservations (user_id);
alter table reservations enable row level security;
alter table reservations force row level security;
create policy reservations_tenant on reservations
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy reservations_platform on reservations using ((select is_platform_context())) with check ((select is_platform_context()));
create policy reservations_owner_read on reservations for select using (user_id = (select current_app_user_id()));
grant select, insert, update, delete on reservations to ticketing_app;

alter table tickets add column reservation_id uuid references reservations (id);
-- in claim order, so a claim reads only the few rows it takes
create index tickets_claimable_idx on tickets (ticket_type_id, claimable_after, id);
create index tickets_reservation_idx on tickets (reservation_id);

-- Existing tickets take their place in the scheme, and every ticket type gets its sellable rows.
update tickets set claimable_after = case
  when status = 'pending_payment' then coalesce(reserved_until, '-infinity')
  else 'infinity' end;
insert into tickets (tenant_id, event_id, ticket_type_id, price_minor, currency, status, claimable_after)
select tt.tenant_id, tt.event_id, tt.id, tt.price_minor, tt.currency, 'available', '-infinity'
from ticket_types tt
cross join lateral generate_series(1, greatest(tt.capacity - tt.sold
  - (select count(*) from tickets t where t.ticket_type_id = tt.id and t.status not in ('expired', 'cancelled')), 0));

-- What is left of a ticket type right now, for everyone. Availability is public, but the rows behind it
-- are other buyers' holds that row-level security hides: this function counts them (a number, nothing
-- else) as its owner. With FORCE ROW LEVEL SECURITY a non-superuser owner is subject to policies too,
-- hence the policy that lets the owner itself read.
create policy tickets_owner_counting on tickets for select
  using (current_user = (select tableowner from pg_tables where schemaname = 'public' and tablename = 'tickets'));
create function available_ticket_count(p_ticket_type_id uuid, p_at timestamptz) returns integer
  language sql stable security definer set search_path = public
  as $$ select count(*)::int from tickets where ticket_type_id = p_ticket_type_id and claimable_after <= p_at $$;
revoke all on function available_ticket_count(uuid, timestamptz) from public;
grant execute on function available_ticket_count(uuid, timestamptz) to ticketing_app;
