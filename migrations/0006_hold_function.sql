-- A hold in one round trip. The flash-sale benchmark showed the database bound by round trips (about
-- eleven per hold from the app); this function does the same work in one call. It sets the same
-- transaction-scoped context as the app's withContext (role ticketing_app, tenant, user, role), so
-- row-level security applies to everything after the public event lookup.
--
-- Failures raise SQLSTATE 'TK409' (sold_out, sales_closed, sales_not_started, not_on_sale),
-- 'TK422' (unknown_ticket_type, over_max_per_order, idempotency_key_reused) or 'TK404' (no such event),
-- with the code as the message and the ticket type's name and limit in DETAIL; the whole call rolls back.

create function hold_tickets(
  p_event_id uuid, p_items jsonb, p_user_id uuid, p_token text, p_token_hash text,
  p_idempotency_key text, p_request_hash text, p_now timestamptz
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
  v_scope text := 'reservation:' || p_event_id;
  v_earlier record;
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

  if p_idempotency_key is not null then
    insert into idempotency_keys (tenant_id, scope, key, request_hash, expires_at)
      values (v_event.tenant_id, v_scope, p_idempotency_key, p_request_hash, p_now + interval '24 hours')
      on conflict do nothing;
    if not found then
      -- a concurrent duplicate waited on the key above until the first committed
      select request_hash, response_body into v_earlier from idempotency_keys
        where tenant_id = v_event.tenant_id and scope = v_scope and key = p_idempotency_key;
      if v_earlier.request_hash <> p_request_hash then
        raise exception 'idempotency_key_reused' using errcode = 'TK422';
      end if;
      return jsonb_build_object('created', false, 'reservation', v_earlier.response_body);
    end if;
  end if;

  v_expires := p_now + make_interval(mins => v_event.hold_minutes);
  insert into reservations (tenant_id, event_id, user_id, expires_at, access_token_hash, total_minor, currency, created_at, updated_at)
    values (v_event.tenant_id, v_event.id, p_user_id, v_expires, p_token_hash, 0, v_event.currency, p_now, p_now)
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

  update reservations set total_minor = v_total where id = v_reservation;
  v_answer := jsonb_build_object(
    'id', v_reservation, 'eventId', v_event.id, 'status', 'held',
    'expiresAt', to_char(v_expires at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'items', v_items, 'total', jsonb_build_object('amountMinor', v_total, 'currency', v_event.currency), 'token', p_token);
  if p_idempotency_key is not null then
    update idempotency_keys set status_code = 201, response_body = v_answer
      where tenant_id = v_event.tenant_id and scope = v_scope and key = p_idempotency_key;
  end if;
  return jsonb_build_object('created', true, 'reservation', v_answer);
end $$;

revoke all on function hold_tickets(uuid, jsonb, uuid, text, text, text, text, timestamptz) from public;
grant execute on function hold_tickets(uuid, jsonb, uuid, text, text, text, text, timestamptz) to ticketing_app;
