-- M-Pesa payments (STK Push) for reservations.
--
-- A reservation may see several attempts (a cancelled prompt, then a retry): each is one `transactions`
-- row, at most one pending at a time. The callback URL carries a per-transaction secret; only its SHA-256
-- is kept. A payment that arrives after its tickets were lost is kept as `refund_due` until reversed.

alter table transactions drop constraint transactions_status_check;
alter table transactions add constraint transactions_status_check
  check (status in ('pending', 'completed', 'failed', 'refund_due', 'refund_requested', 'refunded'));
alter table transactions add column reservation_id uuid references reservations (id);
alter table transactions add column callback_secret_hash text;
alter table transactions add column result_code integer;
-- the phone Daraja says paid (mpesa_phone is the phone the prompt went to)
alter table transactions add column paid_phone text;
alter table transactions add column refund_reason text;
alter table transactions add column reversal_conversation_id text;
alter table transactions add column updated_at timestamptz not null default now();
-- the buyer's language and the site they used, for the messages a payment's outcome sends
alter table transactions add column lang text not null default 'en' check (lang in ('en', 'sw'));
alter table transactions add column origin text;

-- A guest's tickets travel as a single-use link in the delivery message: opening it signs the guest in.
alter table one_time_tokens drop constraint one_time_tokens_purpose_check;
alter table one_time_tokens add constraint one_time_tokens_purpose_check
  check (purpose in ('password_reset', 'email_verification', 'phone_verification', 'staff_invitation', 'ticket_link'));
create index transactions_reservation_idx on transactions (reservation_id);
create index transactions_phone_idx on transactions (mpesa_phone, created_at);
create unique index transactions_one_pending_idx on transactions (reservation_id) where status = 'pending';
create unique index transactions_reversal_idx on transactions (reversal_conversation_id);

-- What a reservation was for (ticket type, quantity, unit price), so a late payment can be honoured with
-- other free tickets of the same types when its own were taken.
alter table reservations add column items jsonb not null default '[]';
update reservations r set items = coalesce((
  select jsonb_agg(jsonb_build_object('ticketTypeId', g.ticket_type_id, 'name', g.name, 'quantity', g.quantity,
    'unitPriceMinor', g.price_minor, 'subtotalMinor', g.price_minor * g.quantity))
  from (select t.ticket_type_id, tt.name, t.price_minor, count(*)::int as quantity
        from tickets t join ticket_types tt on tt.id = t.ticket_type_id
        where t.reservation_id = r.id group by t.ticket_type_id, tt.name, t.price_minor) g), '[]');

-- Things a manager should look at: a paying phone that differs from the buyer's, repeated failures
-- from one phone, a payment that must be refunded.
create table payment_flags (
  id             uuid primary key default gen_random_uuid(),
  tenant_id      uuid not null references tenants (id),
  event_id       uuid references events (id),
  transaction_id uuid references transactions (id),
  kind           text not null check (kind in ('phone_mismatch', 'repeated_failures', 'refund_due', 'duplicate_payment')),
  detail         jsonb not null default '{}',
  created_at     timestamptz not null default now()
);
create index payment_flags_tenant_idx on payment_flags (tenant_id, created_at);
create unique index payment_flags_once_idx on payment_flags (transaction_id, kind);
alter table payment_flags enable row level security;
alter table payment_flags force row level security;
create policy payment_flags_tenant on payment_flags
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy payment_flags_platform on payment_flags using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update, delete on payment_flags to ticketing_app;

-- hold_tickets() now also records the reservation's items.
create or replace function hold_tickets(
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

  update reservations set total_minor = v_total, items = v_items where id = v_reservation;
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
