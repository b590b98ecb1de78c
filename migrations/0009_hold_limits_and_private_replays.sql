-- Holds that cannot be replayed by strangers, and a cap on one client's open holds.
--
-- Idempotency keys: a replay used to hand the first answer, bearer token included, to anyone who sent
-- the same key and body. Now the key is scoped to the caller (the signed-in user, or "anonymous", whose
-- key must be a random secret of 128 bits or more: src/tickets/reservations.ts checks it), only the
-- key's SHA-256 is stored, and the stored answer carries no token. The token of a reservation made with
-- a key is derived from that key (HMAC-SHA-256, in the app), so the caller who replays the key gets the
-- same token back and the database never holds anything that yields it.
--
-- Hold caps: a reservation records who asked for it (client_key: "user:<id>", or a hash of the client's
-- address or browser), and hold_tickets() refuses a new hold when that client already has
-- p_max_open_holds unexpired unpaid holds for the event (0: no cap). The count runs under a
-- transaction-scoped advisory lock on (event, client), so one client's parallel requests queue behind
-- each other and cannot all pass the count; other buyers never wait on it.

-- keys stored before this were plain, and their answers held plain tokens: they go (a key is only
-- good for 24 hours anyway). In the platform context, as row-level security is forced on the table.
select set_config('app.role', 'system', true);
delete from idempotency_keys where scope like 'reservation:%';

alter table reservations add column client_key text check (length(client_key) <= 100);
create index reservations_open_by_client_idx on reservations (event_id, client_key, expires_at)
  where status = 'held' and client_key is not null;

drop function hold_tickets(uuid, jsonb, uuid, text, text, text, text, timestamptz);

-- A hold in one round trip (see 0006). Failures raise SQLSTATE 'TK409' (sold_out, sales_closed,
-- sales_not_started, not_on_sale), 'TK422' (unknown_ticket_type, over_max_per_order,
-- idempotency_key_reused), 'TK429' (too_many_holds, with the cap in DETAIL) or 'TK404' (no such event);
-- the whole call rolls back. The answer never holds the token: the app adds it.
create function hold_tickets(
  p_event_id uuid, p_items jsonb, p_user_id uuid, p_token_hash text,
  p_idempotency_key_hash text, p_request_hash text, p_now timestamptz,
  p_client_key text, p_max_open_holds integer
) returns jsonb
language plpgsql as $$
declare
  v_event record;
  v_type record;
  v_item jsonb;
  v_reservation uuid;
  v_expires timestamptz;
  v_total integer := 0;
  v_items jsonb := '[]';
  v_claimed integer;
  v_scope text := 'reservation:' || p_event_id || ':' || coalesce('user:' || p_user_id, 'anonymous');
  v_earlier record;
  v_open integer;
  v_answer jsonb;
begin
  perform set_config('role', 'ticketing_app', true), set_config('app.tenant_id', '', true),
          set_config('app.user_id', coalesce(p_user_id::text, ''), true), set_config('app.role', 'anonymous', true);
  select e.id, e.tenant_id, e.status, e.hold_minutes, e.currency into v_event
    from events e join tenants t on t.id = e.tenant_id
    where e.id = p_event_id and e.status <> 'draft' and t.status = 'active';
  if not found then raise exception 'not_found' using errcode = 'TK404'; end if;
  if v_event.status not in ('published', 'ongoing') then raise exception 'not_on_sale' using errcode = 'TK409'; end if;
  perform set_config('app.tenant_id', v_event.tenant_id::text, true), set_config('app.role', 'buyer', true);

  if p_idempotency_key_hash is not null then
    -- an expired key that the sweep has not removed yet counts as unused
    insert into idempotency_keys (tenant_id, scope, key, request_hash, expires_at, created_at)
      values (v_event.tenant_id, v_scope, p_idempotency_key_hash, p_request_hash, p_now + interval '24 hours', p_now)
      on conflict (tenant_id, scope, key) do update
        set request_hash = excluded.request_hash, status_code = null, response_body = null,
            created_at = excluded.created_at, expires_at = excluded.expires_at
        where idempotency_keys.expires_at <= p_now;
    if not found then
      -- a live key; a concurrent duplicate waited on the key above until the first committed
      select request_hash, response_body into v_earlier from idempotency_keys
        where tenant_id = v_event.tenant_id and scope = v_scope and key = p_idempotency_key_hash;
      if v_earlier.request_hash <> p_request_hash then
        raise exception 'idempotency_key_reused' using errcode = 'TK422';
      end if;
      return jsonb_build_object('created', false, 'reservation', v_earlier.response_body);
    end if;
  end if;

  if p_client_key is not null and p_max_open_holds > 0 then
    perform pg_advisory_xact_lock(hashtextextended('open-holds:' || v_event.id || ':' || p_client_key, 0));
    select count(*) into v_open from reservations
      where event_id = v_event.id and client_key = p_client_key and status = 'held' and expires_at > p_now;
    if v_open >= p_max_open_holds then
      raise exception 'too_many_holds' using errcode = 'TK429', detail = '|' || p_max_open_holds;
    end if;
  end if;

  v_expires := p_now + make_interval(mins => v_event.hold_minutes);
  insert into reservations (tenant_id, event_id, user_id, expires_at, access_token_hash, total_minor, currency, client_key, created_at, updated_at)
    values (v_event.tenant_id, v_event.id, p_user_id, v_expires, p_token_hash, 0, v_event.currency, p_client_key, p_now, p_now)
    returning id into v_reservation;

  for v_item in select * from jsonb_array_elements(p_items) loop
    select id, name, price_minor, max_per_order, sales_start, sales_end into v_type
      from ticket_types where id = (v_item->>'ticketTypeId')::uuid and event_id = v_event.id;
    if not found then raise exception 'unknown_ticket_type' using errcode = 'TK422'; end if;
    if v_type.sales_start is not null and v_type.sales_start > p_now then
      raise exception 'sales_not_started' using errcode = 'TK409', detail = v_type.name;
    end if;
    if v_type.sales_end is not null and v_type.sales_end <= p_now then
      raise exception 'sales_closed' using errcode = 'TK409', detail = v_type.name;
    end if;
    if (v_item->>'quantity')::int > v_type.max_per_order then
      raise exception 'over_max_per_order' using errcode = 'TK422', detail = v_type.name || '|' || v_type.max_per_order;
    end if;
    with picked as (
      select id from tickets where ticket_type_id = v_type.id and claimable_after <= p_now
      order by claimable_after, id limit (v_item->>'quantity')::int for update skip locked)
    update tickets t set status = 'pending_payment', claimable_after = v_expires, reserved_until = v_expires,
      reservation_id = v_reservation, price_minor = v_type.price_minor, user_id = null, original_user_id = null, updated_at = p_now
      from picked where t.id = picked.id;
    get diagnostics v_claimed = row_count;
    if v_claimed < (v_item->>'quantity')::int then
      raise exception 'sold_out' using errcode = 'TK409', detail = v_type.name;
    end if;
    v_total := v_total + v_type.price_minor * v_claimed;
    v_items := v_items || jsonb_build_object('ticketTypeId', v_type.id, 'name', v_type.name, 'quantity', v_claimed,
      'unitPriceMinor', v_type.price_minor, 'subtotalMinor', v_type.price_minor * v_claimed);
  end loop;

  update reservations set total_minor = v_total, items = v_items where id = v_reservation;
  v_answer := jsonb_build_object(
    'id', v_reservation, 'eventId', v_event.id, 'status', 'held',
    'expiresAt', to_char(v_expires at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'items', v_items, 'total', jsonb_build_object('amountMinor', v_total, 'currency', v_event.currency));
  if p_idempotency_key_hash is not null then
    update idempotency_keys set status_code = 201, response_body = v_answer
      where tenant_id = v_event.tenant_id and scope = v_scope and key = p_idempotency_key_hash;
  end if;
  return jsonb_build_object('created', true, 'reservation', v_answer);
end $$;

revoke all on function hold_tickets(uuid, jsonb, uuid, text, text, text, timestamptz, text, integer) from public;
grant execute on function hold_tickets(uuid, jsonb, uuid, text, text, text, timestamptz, text, integer) to ticketing_app;
