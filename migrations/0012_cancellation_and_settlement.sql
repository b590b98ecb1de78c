-- Event cancellation with refunds, the event's life over time, and one payment settlement.
--
-- Refunds: one row per M-Pesa Reversal asked for (a whole payment, or some of its tickets). A payment
-- has at most one refund open (due or requested) at a time, so two reversals of one receipt never race;
-- the reversal's result URL carries the refund's own secret (only its SHA-256 is kept).
--
-- Money columns of transactions (invariant 9: amount = commission earned + organiser's net + refunded,
-- for money kept; nothing is earned on a payment that failed or went back):
--   amount_minor             what the buyer paid (or was asked to pay)
--   commission_minor         the platform's commission at the tenant's rate when the payment started
--   refunded_minor           what has gone back to the buyer (completed refunds)
--   commission_earned_minor  commission the platform keeps: for completed and partially refunded payments
--                            the commission on the part not refunded (rounded), otherwise 0
--   net_minor                the organiser's share: amount - refunded - commission earned, for completed
--                            and partially refunded payments, otherwise 0

alter table transactions drop constraint transactions_status_check;
alter table transactions add constraint transactions_status_check
  check (status in ('pending', 'completed', 'failed', 'refund_due', 'refund_requested', 'refunded', 'partially_refunded'));
alter table transactions add column refunded_minor integer not null default 0 check (refunded_minor >= 0);
alter table transactions add constraint transactions_refund_within_amount check (refunded_minor <= amount_minor);
update transactions set refunded_minor = amount_minor where status = 'refunded';
alter table transactions add column commission_earned_minor integer generated always as (
  case when status in ('completed', 'partially_refunded') and amount_minor > 0
    then round(commission_minor::numeric * (amount_minor - refunded_minor) / amount_minor)::integer else 0 end) stored;
alter table transactions add column net_minor integer generated always as (
  case when status in ('completed', 'partially_refunded') and amount_minor > 0
    then amount_minor - refunded_minor - round(commission_minor::numeric * (amount_minor - refunded_minor) / amount_minor)::integer
    else 0 end) stored;

create table refunds (
  id                       uuid primary key default gen_random_uuid(),
  tenant_id                uuid not null references tenants (id),
  event_id                 uuid not null references events (id),
  transaction_id           uuid not null references transactions (id),
  amount_minor             integer not null check (amount_minor > 0),
  currency                 char(3) not null default 'KES',
  -- why: the tickets were gone when the money came, a second payment, the event was cancelled, the holder asked
  -- after a postponement, the organiser
  reason                   text not null check (reason in ('tickets_gone', 'duplicate_payment', 'event_cancelled', 'event_postponed', 'organiser')),
  note                     text check (length(note) <= 300),
  -- due: to ask Daraja (again); requested: asked, waiting for its result; completed; manual: to refund by hand
  status                   text not null default 'due' check (status in ('due', 'requested', 'completed', 'manual')),
  attempts                 integer not null default 0 check (attempts >= 0),
  next_attempt_at          timestamptz not null default now(),
  callback_secret_hash     text,
  reversal_conversation_id text unique,
  result_code              text,
  -- the tickets this refund cancelled (a partial refund); empty for a whole payment
  ticket_ids               uuid[] not null default '{}',
  requested_by             uuid references users (id),
  created_at               timestamptz not null default now(),
  updated_at               timestamptz not null default now(),
  completed_at             timestamptz
);
create index refunds_tenant_idx on refunds (tenant_id, created_at);
create index refunds_event_idx on refunds (event_id);
create index refunds_due_idx on refunds (next_attempt_at) where status = 'due';
create unique index refunds_one_open_idx on refunds (transaction_id) where status in ('due', 'requested');
alter table refunds enable row level security;
alter table refunds force row level security;
create policy refunds_tenant on refunds
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy refunds_platform on refunds using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update, delete on refunds to ticketing_app;

-- refunds that went wrong get a flag too
alter table payment_flags drop constraint payment_flags_kind_check;
alter table payment_flags add constraint payment_flags_kind_check
  check (kind in ('phone_mismatch', 'repeated_failures', 'refund_due', 'duplicate_payment', 'refund_manual'));

-- Buyer notices of cancellations, postponements and refunds (written with the change that causes them).
alter table notifications drop constraint notifications_type_check;
alter table notifications add constraint notifications_type_check
  check (type in ('ticket_delivery', 'payment_failed', 'event_reminder', 'transfer_confirmation', 'password_reset',
                  'verification_code', 'staff_invitation',
                  'event_cancelled', 'event_postponed', 'refund_issued', 'refund_completed', 'refund_failed'));

-- Postponement: when the event was first meant to be, and until when holders may ask for their money back.
alter table events add column postponed_from timestamptz;
alter table events add column refund_deadline timestamptz;
alter table events add column cancelled_at timestamptz;

-- When an event is over: its end, or six hours after its start when it has none (src/events/event-time.ts).
create function event_end(p_starts_at timestamptz, p_ends_at timestamptz) returns timestamptz
  language sql immutable as $$ select coalesce(p_ends_at, p_starts_at + interval '6 hours') $$;

-- hold_tickets() as in 0009, and it now refuses an event that has ended ('event_ended').
create or replace function hold_tickets(
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
  select e.id, e.tenant_id, e.status, e.hold_minutes, e.currency, event_end(e.starts_at, e.ends_at) as ends into v_event
    from events e join tenants t on t.id = e.tenant_id
    where e.id = p_event_id and e.status <> 'draft' and t.status = 'active';
  if not found then raise exception 'not_found' using errcode = 'TK404'; end if;
  if v_event.status not in ('published', 'ongoing') then raise exception 'not_on_sale' using errcode = 'TK409'; end if;
  -- sales stop at the end of the event at the latest, whatever the ticket types' sales windows say
  if v_event.ends <= p_now then raise exception 'event_ended' using errcode = 'TK409'; end if;
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
