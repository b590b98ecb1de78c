-- Availability without counting ticket rows, and holds that cost less.
--
-- 1. A counter per ticket type of its plainly available rows (claimable_after = -infinity), kept by
--    statement triggers on tickets, so nothing can change a row without the count following it in the
--    same transaction. available_ticket_count() is that counter plus the holds that have expired and
--    not been swept yet (an index range that is empty during a rush): invariant 2 holds as before, and
--    the event page, the API and the hold agree because they all read this one function.
--    The counter is split into slots: a claim adds to a slot no other open transaction holds (FOR UPDATE
--    SKIP LOCKED), or opens one of its own (slot = its backend pid), so concurrent claims never wait on
--    the counter and can never deadlock on it.
-- 2. hold_one(): one hold, all or nothing, WITHOUT raising: a refused hold writes nothing that lasts
--    (its idempotency key is taken back; the rows it looked at were only locked). hold_tickets() (one
--    hold per transaction, as before) and hold_tickets_batch() (group commit: many holds of one event
--    in one transaction) both use it.
-- 3. A sold-out refusal tells the app how many rows it could still claim and when the type's next
--    hold expires, so the app can answer the next buyers of a sold-out type itself until then.

create table ticket_type_availability (
  ticket_type_id uuid not null references ticket_types (id) on delete cascade,
  slot           integer not null,
  tenant_id      uuid not null references tenants (id),
  available      integer not null default 0,
  primary key (ticket_type_id, slot)
);
create index ticket_type_availability_tenant_idx on ticket_type_availability (tenant_id);
alter table ticket_type_availability enable row level security;
alter table ticket_type_availability force row level security;
create policy ticket_type_availability_tenant on ticket_type_availability
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy ticket_type_availability_platform on ticket_type_availability
  using ((select is_platform_context())) with check ((select is_platform_context()));
-- the triggers and available_ticket_count() run as the owner (see tickets_owner_counting in 0005)
create policy ticket_type_availability_owner on ticket_type_availability
  using (current_user = (select tableowner from pg_tables where schemaname = 'public' and tablename = 'ticket_type_availability'))
  with check (current_user = (select tableowner from pg_tables where schemaname = 'public' and tablename = 'ticket_type_availability'));
grant select on ticket_type_availability to ticketing_app;

-- Adds `p_delta` to one of the type's slots that no other open transaction holds.
create function add_available_tickets(p_type uuid, p_tenant uuid, p_delta integer) returns void
language plpgsql security definer set search_path = public as $$
declare
  v_slot integer;
begin
  select slot into v_slot from ticket_type_availability where ticket_type_id = p_type
    order by slot limit 1 for update skip locked;
  if found then
    update ticket_type_availability set available = available + p_delta where ticket_type_id = p_type and slot = v_slot;
  else
    -- every slot is in another open transaction: one of our own (no live backend shares our pid)
    insert into ticket_type_availability (ticket_type_id, slot, tenant_id, available)
      values (p_type, pg_backend_pid(), p_tenant, p_delta)
      on conflict (ticket_type_id, slot) do update set available = ticket_type_availability.available + excluded.available;
  end if;
end $$;
revoke all on function add_available_tickets(uuid, uuid, integer) from public;

create function tickets_count_available() returns trigger
language plpgsql security definer set search_path = public as $$
declare
  v record;
begin
  if tg_op = 'INSERT' then
    for v in select ticket_type_id, tenant_id, count(*)::int as delta from new_rows
               where claimable_after = '-infinity' group by 1, 2 loop
      perform add_available_tickets(v.ticket_type_id, v.tenant_id, v.delta);
    end loop;
  elsif tg_op = 'DELETE' then
    for v in select ticket_type_id, tenant_id, -count(*)::int as delta from old_rows
               where claimable_after = '-infinity' group by 1, 2 loop
      perform add_available_tickets(v.ticket_type_id, v.tenant_id, v.delta);
    end loop;
  else
    for v in select ticket_type_id, tenant_id, sum(delta)::int as delta from (
                 select ticket_type_id, tenant_id, 1 as delta from new_rows where claimable_after = '-infinity'
                 union all
                 select ticket_type_id, tenant_id, -1 from old_rows where claimable_after = '-infinity') d
               group by 1, 2 having sum(delta) <> 0 loop
      perform add_available_tickets(v.ticket_type_id, v.tenant_id, v.delta);
    end loop;
  end if;
  return null;
end $$;
revoke all on function tickets_count_available() from public;

create trigger tickets_count_available_insert after insert on tickets
  referencing new table as new_rows for each statement execute function tickets_count_available();
create trigger tickets_count_available_update after update on tickets
  referencing old table as old_rows new table as new_rows for each statement execute function tickets_count_available();
create trigger tickets_count_available_delete after delete on tickets
  referencing old table as old_rows for each statement execute function tickets_count_available();

-- the count as it is now, in slot 0 of each type
select set_config('app.role', 'system', true);
insert into ticket_type_availability (ticket_type_id, slot, tenant_id, available)
select tt.id, 0, tt.tenant_id,
       (select count(*) from tickets t where t.ticket_type_id = tt.id and t.claimable_after = '-infinity')
from ticket_types tt;

-- What a new hold could claim now: the counter, plus holds that have expired and are not swept yet.
create or replace function available_ticket_count(p_ticket_type_id uuid, p_at timestamptz) returns integer
  language sql stable security definer set search_path = public
  as $$ select (coalesce((select sum(available) from ticket_type_availability where ticket_type_id = p_ticket_type_id), 0)
              + (select count(*) from tickets where ticket_type_id = p_ticket_type_id
                   and claimable_after > '-infinity' and claimable_after <= p_at))::int $$;

-- One hold in the caller's transaction, whose context (role, tenant) is set. Returns
-- {created, reservation} or {error, errcode, detail}; a refusal leaves nothing behind but row locks.
create function hold_one(
  p_event_id uuid, p_tenant_id uuid, p_hold_minutes integer, p_currency char(3),
  p_items jsonb, p_user_id uuid, p_token_hash text, p_idempotency_key_hash text, p_request_hash text,
  p_now timestamptz, p_client_key text, p_max_open_holds integer,
  p_taken uuid[] default '{}', p_client_holds_before integer default 0
) returns jsonb
language plpgsql as $$
declare
  v_type record;
  v_item jsonb;
  v_reservation uuid := gen_random_uuid();
  v_expires timestamptz := p_now + make_interval(mins => p_hold_minutes);
  v_total integer := 0;
  v_items jsonb := '[]';
  v_claims jsonb := '[]';
  v_picked uuid[];
  v_quantity integer;
  v_scope text := 'reservation:' || p_event_id || ':' || coalesce('user:' || p_user_id, 'anonymous');
  v_earlier record;
  v_open integer;
  v_answer jsonb;
  v_refusal jsonb;
  v_next timestamptz;
  v_start uuid := gen_random_uuid();
  v_claimable integer;
begin
  perform set_config('app.user_id', coalesce(p_user_id::text, ''), true);
  if p_client_key is not null and p_max_open_holds > 0 then
    perform pg_advisory_xact_lock(hashtextextended('open-holds:' || p_event_id || ':' || p_client_key, 0));
  end if;

  -- the checks read first; a refusal waits until a replay has had its answer
  for v_item in select * from jsonb_array_elements(p_items) loop
    v_quantity := (v_item->>'quantity')::int;
    select id, name, price_minor, max_per_order, sales_start, sales_end into v_type
      from ticket_types where id = (v_item->>'ticketTypeId')::uuid and event_id = p_event_id;
    if not found then
      v_refusal := coalesce(v_refusal, jsonb_build_object('error', 'unknown_ticket_type', 'errcode', 'TK422', 'detail', ''));
      continue;
    end if;
    if v_type.sales_start is not null and v_type.sales_start > p_now then
      v_refusal := coalesce(v_refusal, jsonb_build_object('error', 'sales_not_started', 'errcode', 'TK409', 'detail', v_type.name));
    elsif v_type.sales_end is not null and v_type.sales_end <= p_now then
      v_refusal := coalesce(v_refusal, jsonb_build_object('error', 'sales_closed', 'errcode', 'TK409', 'detail', v_type.name));
    elsif v_quantity > v_type.max_per_order then
      v_refusal := coalesce(v_refusal, jsonb_build_object('error', 'over_max_per_order', 'errcode', 'TK422',
        'detail', v_type.name || '|' || v_type.max_per_order));
    end if;
    v_total := v_total + v_type.price_minor * v_quantity;
    v_items := v_items || jsonb_build_object('ticketTypeId', v_type.id, 'name', v_type.name, 'quantity', v_quantity,
      'unitPriceMinor', v_type.price_minor, 'subtotalMinor', v_type.price_minor * v_quantity);
  end loop;
  v_answer := jsonb_build_object(
    'id', v_reservation, 'eventId', p_event_id, 'status', 'held',
    'expiresAt', to_char(v_expires at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'items', v_items, 'total', jsonb_build_object('amountMinor', v_total, 'currency', p_currency));

  if p_idempotency_key_hash is not null then
    -- the answer goes in with the key; if the hold is refused the key is taken back below.
    -- An expired key that the sweep has not removed yet counts as unused.
    insert into idempotency_keys (tenant_id, scope, key, request_hash, status_code, response_body, expires_at, created_at)
      values (p_tenant_id, v_scope, p_idempotency_key_hash, p_request_hash, 201, v_answer, p_now + interval '24 hours', p_now)
      on conflict (tenant_id, scope, key) do update
        set request_hash = excluded.request_hash, status_code = excluded.status_code, response_body = excluded.response_body,
            created_at = excluded.created_at, expires_at = excluded.expires_at
        where idempotency_keys.expires_at <= p_now;
    if not found then
      -- a live key; a concurrent duplicate waited on the key above until the first committed
      select request_hash, response_body into v_earlier from idempotency_keys
        where tenant_id = p_tenant_id and scope = v_scope and key = p_idempotency_key_hash;
      if v_earlier.request_hash <> p_request_hash then
        return jsonb_build_object('error', 'idempotency_key_reused', 'errcode', 'TK422', 'detail', '');
      end if;
      return jsonb_build_object('created', false, 'reservation', v_earlier.response_body);
    end if;
  end if;

  if v_refusal is null and p_client_key is not null and p_max_open_holds > 0 then
    select count(*) into v_open from reservations
      where event_id = p_event_id and client_key = p_client_key and status = 'held' and expires_at > p_now;
    if v_open + p_client_holds_before >= p_max_open_holds then
      v_refusal := jsonb_build_object('error', 'too_many_holds', 'errcode', 'TK429', 'detail', '|' || p_max_open_holds);
    end if;
  end if;

  if v_refusal is null then
    for v_item in select * from jsonb_array_elements(v_items) loop
      v_quantity := (v_item->>'quantity')::int;
      -- the counter first: when it says too few, no scan (a scan of a sold-out type would walk every dead
      -- index entry its claims left behind). It can only say more than can be claimed (rows other open
      -- claims hold), never less: a release still open is not claimable by anyone yet.
      v_claimable := available_ticket_count((v_item->>'ticketTypeId')::uuid, p_now);
      if v_claimable < v_quantity then
        v_picked := '{}';
      else
      -- available rows from a random point on (ids are random): claims spread over the type's rows, so
      -- they neither queue behind each other's locks nor walk past the dead index entries that claimed
      -- rows leave at the front of the claim index; then the front, and expired holds, for what is missing
      select array_agg(id) into v_picked from (
        select id from tickets where ticket_type_id = (v_item->>'ticketTypeId')::uuid and claimable_after = '-infinity'
          and id >= v_start and id <> all(p_taken)
        order by claimable_after, id limit v_quantity for update skip locked) picked;
      if coalesce(cardinality(v_picked), 0) < v_quantity then
        v_picked := coalesce(v_picked, '{}') || array(
          select id from tickets where ticket_type_id = (v_item->>'ticketTypeId')::uuid and claimable_after <= p_now
            and id <> all(coalesce(v_picked, '{}')) and id <> all(p_taken)
          order by claimable_after, id limit v_quantity - coalesce(cardinality(v_picked), 0) for update skip locked);
      end if;
      end if;
      if coalesce(cardinality(v_picked), 0) < v_quantity then
        select min(claimable_after) into v_next from tickets
          where ticket_type_id = (v_item->>'ticketTypeId')::uuid and claimable_after > p_now and claimable_after < 'infinity';
        -- name | (no limit) | rows this claim could take | when the next hold expires | the type
        v_refusal := jsonb_build_object('error', 'sold_out', 'errcode', 'TK409', 'detail',
          (v_item->>'name') || '||' ||
          (case when v_claimable < v_quantity then v_claimable else coalesce(cardinality(v_picked), 0) end) || '|' ||
          coalesce(to_char(v_next at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), '') || '|' || (v_item->>'ticketTypeId'));
        exit;
      end if;
      v_claims := v_claims || jsonb_build_object('price', v_item->'unitPriceMinor', 'ids', to_jsonb(v_picked));
    end loop;
  end if;

  if v_refusal is not null then
    if p_idempotency_key_hash is not null then
      delete from idempotency_keys where tenant_id = p_tenant_id and scope = v_scope and key = p_idempotency_key_hash;
    end if;
    return v_refusal;
  end if;

  -- made, to be written by hold_apply() (for a group, once for all its holds)
  return jsonb_build_object('created', true, 'reservation', v_answer, 'made', jsonb_build_object(
    'id', v_reservation, 'userId', p_user_id, 'tokenHash', p_token_hash, 'clientKey', p_client_key, 'expires', v_expires,
    'total', v_total, 'items', v_items, 'now', p_now, 'claims', v_claims));
end $$;

-- Writes the holds hold_one() made: their reservations in one INSERT, their tickets in one UPDATE (so
-- the counter trigger runs once, and a group's holds cost one statement each, not one per hold).
create function hold_apply(p_event_id uuid, p_tenant_id uuid, p_currency char(3), p_made jsonb) returns void
language plpgsql as $$
declare
  v_tickets uuid[];
  v_reservations uuid[];
  v_expires timestamptz[];
  v_at timestamptz[];
  v_prices integer[];
begin
  insert into reservations (id, tenant_id, event_id, user_id, expires_at, access_token_hash, total_minor, currency, client_key, items, created_at, updated_at)
    select (m->>'id')::uuid, p_tenant_id, p_event_id, (m->>'userId')::uuid, (m->>'expires')::timestamptz, m->>'tokenHash',
           (m->>'total')::int, p_currency, m->>'clientKey', m->'items', (m->>'now')::timestamptz, (m->>'now')::timestamptz
    from jsonb_array_elements(p_made) m;
  -- as arrays, so the UPDATE finds its rows by primary key (a join on the JSON would be planned as a scan)
  select array_agg(ticket::uuid), array_agg((m->>'id')::uuid), array_agg((m->>'expires')::timestamptz),
         array_agg((m->>'now')::timestamptz), array_agg((k->>'price')::int)
    into v_tickets, v_reservations, v_expires, v_at, v_prices
    from jsonb_array_elements(p_made) m, jsonb_array_elements(m->'claims') k, jsonb_array_elements_text(k->'ids') ticket;
  update tickets t set status = 'pending_payment', claimable_after = c.expires, reserved_until = c.expires,
    reservation_id = c.reservation, price_minor = c.price, user_id = null, original_user_id = null, updated_at = c.at
    from unnest(v_tickets, v_reservations, v_expires, v_at, v_prices) as c(ticket, reservation, expires, at, price)
    where t.id = c.ticket;
end $$;
revoke all on function hold_apply(uuid, uuid, char, jsonb) from public;
grant execute on function hold_apply(uuid, uuid, char, jsonb) to ticketing_app;
revoke all on function hold_one(uuid, uuid, integer, char, jsonb, uuid, text, text, text, timestamptz, text, integer, uuid[], integer) from public;
grant execute on function hold_one(uuid, uuid, integer, char, jsonb, uuid, text, text, text, timestamptz, text, integer, uuid[], integer) to ticketing_app;

-- The event a hold is for, with the transaction's context set: the same context as the app's withContext.
-- An event that has ended at p_now is refused ('event_ended', as 0012's hold_tickets()).
create function hold_event(p_event_id uuid, p_now timestamptz, out o_id uuid, out o_tenant_id uuid, out o_hold_minutes integer, out o_currency text)
language plpgsql as $$
declare
  v_status text;
  v_ends timestamptz;
begin
  perform set_config('role', 'ticketing_app', true), set_config('app.tenant_id', '', true),
          set_config('app.user_id', '', true), set_config('app.role', 'anonymous', true);
  select e.id, e.tenant_id, e.status, e.hold_minutes, e.currency, event_end(e.starts_at, e.ends_at)
    into o_id, o_tenant_id, v_status, o_hold_minutes, o_currency, v_ends
    from events e join tenants t on t.id = e.tenant_id
    where e.id = p_event_id and e.status <> 'draft' and t.status = 'active';
  if not found then raise exception 'not_found' using errcode = 'TK404'; end if;
  if v_status not in ('published', 'ongoing') then raise exception 'not_on_sale' using errcode = 'TK409'; end if;
  if v_ends <= p_now then raise exception 'event_ended' using errcode = 'TK409'; end if;
  perform set_config('app.tenant_id', o_tenant_id::text, true), set_config('app.role', 'buyer', true);
end $$;

-- One hold per transaction, as before (same signature and errors as 0009): a refusal raises, and a
-- sold-out refusal's DETAIL is `name||claimable|next expiry|type id`.
create or replace function hold_tickets(
  p_event_id uuid, p_items jsonb, p_user_id uuid, p_token_hash text,
  p_idempotency_key_hash text, p_request_hash text, p_now timestamptz,
  p_client_key text, p_max_open_holds integer
) returns jsonb
language plpgsql as $$
declare
  v_event record;
  v_result jsonb;
begin
  select o_id as id, o_tenant_id as tenant_id, o_hold_minutes as hold_minutes, o_currency as currency into v_event from hold_event(p_event_id, p_now);
  v_result := hold_one(v_event.id, v_event.tenant_id, v_event.hold_minutes, v_event.currency, p_items, p_user_id, p_token_hash,
    p_idempotency_key_hash, p_request_hash, p_now, p_client_key, p_max_open_holds);
  if v_result ? 'error' then
    raise exception '%', v_result->>'error' using errcode = v_result->>'errcode', detail = v_result->>'detail';
  end if;
  if v_result ? 'made' then
    perform hold_apply(v_event.id, v_event.tenant_id, v_event.currency, jsonb_build_array(v_result->'made'));
  end if;
  return v_result - 'made';
end $$;

-- Group commit: the holds of one event that arrived together, in one transaction, each all or nothing
-- on its own. p_holds is an array of {items, userId, tokenHash, keyHash, requestHash, now, clientKey,
-- maxOpenHolds}; the answer is an array in the same order of hold_one()'s answers. Locks that can be
-- waited on are taken in one order in every batch (the clients' advisory locks sorted, then the
-- idempotency keys in sorted order), so two batches never deadlock; ticket rows and counter slots are
-- taken with SKIP LOCKED and never waited on.
create function hold_tickets_batch(p_event_id uuid, p_holds jsonb) returns jsonb
language plpgsql as $$
declare
  v_event record;
  v_hold record;
  v_client text;
  v_result jsonb;
  v_answers jsonb[];
  v_made jsonb := '[]';
  v_taken uuid[] := '{}';
  v_client_holds jsonb := '{}';
begin
  select o_id as id, o_tenant_id as tenant_id, o_hold_minutes as hold_minutes, o_currency as currency into v_event from hold_event(p_event_id, (p_holds->0->>'now')::timestamptz);
  for v_client in select distinct h->>'clientKey' from jsonb_array_elements(p_holds) h
                    where h->>'clientKey' is not null and (h->>'maxOpenHolds')::int > 0 order by 1 loop
    perform pg_advisory_xact_lock(hashtextextended('open-holds:' || v_event.id || ':' || v_client, 0));
  end loop;
  v_answers := array_fill(null::jsonb, array[jsonb_array_length(p_holds)]);
  for v_hold in select h, (n - 1)::int as i from jsonb_array_elements(p_holds) with ordinality as a(h, n)
                  order by h->>'keyHash' nulls last, n loop
    v_result := hold_one(v_event.id, v_event.tenant_id, v_event.hold_minutes, v_event.currency,
      v_hold.h->'items', (v_hold.h->>'userId')::uuid, v_hold.h->>'tokenHash', v_hold.h->>'keyHash', v_hold.h->>'requestHash',
      (v_hold.h->>'now')::timestamptz, v_hold.h->>'clientKey', coalesce((v_hold.h->>'maxOpenHolds')::int, 0),
      v_taken, coalesce((v_client_holds->>(v_hold.h->>'clientKey'))::int, 0));
    if v_result ? 'made' then
      v_made := v_made || jsonb_build_array(v_result->'made');
      v_taken := v_taken || array(select jsonb_array_elements_text(k->'ids')::uuid from jsonb_array_elements(v_result->'made'->'claims') k);
      if v_hold.h->>'clientKey' is not null then
        v_client_holds := v_client_holds || jsonb_build_object(v_hold.h->>'clientKey',
          coalesce((v_client_holds->>(v_hold.h->>'clientKey'))::int, 0) + 1);
      end if;
    end if;
    v_answers[v_hold.i + 1] := v_result - 'made';
  end loop;
  if jsonb_array_length(v_made) > 0 then perform hold_apply(v_event.id, v_event.tenant_id, v_event.currency, v_made); end if;
  return to_jsonb(v_answers);
end $$;
revoke all on function hold_tickets_batch(uuid, jsonb) from public;
grant execute on function hold_tickets_batch(uuid, jsonb) to ticketing_app;

-- A replay, read only: the stored answer of a live idempotency key (or a refusal when the key was used
-- for another request), null when the key is unused. The app asks this before answering a buyer of a
-- sold-out type itself, so a retried hold still gets its reservation.
create function hold_replay(p_event_id uuid, p_user_id uuid, p_idempotency_key_hash text, p_request_hash text, p_now timestamptz)
returns jsonb
language plpgsql as $$
declare
  v_event record;
  v_earlier record;
begin
  select o_id as id, o_tenant_id as tenant_id, o_hold_minutes as hold_minutes, o_currency as currency into v_event from hold_event(p_event_id, p_now);
  select request_hash, response_body into v_earlier from idempotency_keys
    where tenant_id = v_event.tenant_id and key = p_idempotency_key_hash and expires_at > p_now
      and scope = 'reservation:' || p_event_id || ':' || coalesce('user:' || p_user_id, 'anonymous');
  if not found then return null; end if;
  if v_earlier.request_hash <> p_request_hash then
    return jsonb_build_object('error', 'idempotency_key_reused', 'errcode', 'TK422', 'detail', '');
  end if;
  return jsonb_build_object('created', false, 'reservation', v_earlier.response_body);
end $$;
revoke all on function hold_replay(uuid, uuid, text, text, timestamptz) from public;
grant execute on function hold_replay(uuid, uuid, text, text, timestamptz) to ticketing_app;
revoke all on function hold_event(uuid, timestamptz) from public;
grant execute on function hold_event(uuid, timestamptz) to ticketing_app;
