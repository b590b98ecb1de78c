-- The waiting room's Postgres store, made cheap enough for a flash sale's queue pages.
--
-- 0028 counted rows for every look: a browser's place was a count of the entries ahead of it, and moving the
-- gate locked its row while counting the whole queue, so every look waited on every other (about 100 looks a
-- second in `npm run bench:flash-sale`). Now each entry keeps its place, given once: the pre-queue is ranked
-- by its secret draw at the first look after the opening, and every later arrival takes the event's next
-- number. A look is one call of waiting_room_visit(): read the place, and move the gate only when it last
-- moved more than GATE_STEP ago (by whoever comes first; the rest read it without waiting on its lock).
alter table waiting_room_entries add column place bigint check (place >= 1);
create unique index waiting_room_entries_place_idx on waiting_room_entries (event_id, place);

alter table waiting_room_gates
  -- places given so far (the drawn pre-queue, then one per arrival): the gate never passes it
  add column arrivals bigint not null default 0,
  -- whether the pre-queue has been drawn into places
  add column drawn boolean not null default false;

-- Entries of 0028 get their places in their old order, so a queue running across the upgrade keeps it.
update waiting_room_entries e set place = ranked.r
from (select event_id, browser_id, row_number() over (partition by event_id order by score, browser_id) as r
      from waiting_room_entries) ranked
where e.event_id = ranked.event_id and e.browser_id = ranked.browser_id;
update waiting_room_gates g set drawn = true,
  arrivals = coalesce((select max(place) from waiting_room_entries e where e.event_id = g.event_id), 0);

-- The opening's draw: the entries without a place (those who came before the opening) are ranked by their
-- random score, once; later arrivals queue behind them.
create function waiting_room_draw(p_event_id uuid, p_now timestamptz) returns void
language plpgsql as $$
declare
  v_drawn boolean;
  v_count bigint;
begin
  insert into waiting_room_gates (event_id, admitted, advanced_at) values (p_event_id, 0, p_now)
  on conflict (event_id) do nothing;
  select drawn into v_drawn from waiting_room_gates where event_id = p_event_id for update;
  if v_drawn then return; end if;
  update waiting_room_entries e set place = g.arrivals + ranked.r
  from waiting_room_gates g,
       (select browser_id, row_number() over (order by score, browser_id) as r
        from waiting_room_entries where event_id = p_event_id and place is null) ranked
  where g.event_id = p_event_id and e.event_id = p_event_id and e.browser_id = ranked.browser_id;
  get diagnostics v_count = row_count;
  update waiting_room_gates set drawn = true, arrivals = arrivals + v_count where event_id = p_event_id;
end $$;

-- One look at the queue. Before the opening (p_draw is the browser's secret random draw in [0, 1), made by the
-- app): joins the pre-queue with it as its score, and no place yet.
-- After it: gives a new browser the next place, moves the gate by the rate for the time since it last moved
-- (only while tickets flow, never past the places given), and answers the browser's place and the gate; once
-- the gate has passed the place, the browser's admission (p_admission_ms from its first admitted look).
create function waiting_room_visit(
  p_event_id uuid, p_browser_id text, p_draw double precision, p_now timestamptz,
  p_per_minute double precision, p_flowing boolean, p_step_ms double precision, p_admission_ms double precision,
  out place bigint, out admitted double precision, out admitted_until timestamptz
) language plpgsql as $$
declare
  v_drawn boolean;
begin
  -- called on its own (one round trip a look): the same context as the app's withContext(ANONYMOUS)
  perform set_config('role', 'ticketing_app', true), set_config('app.tenant_id', '', true),
          set_config('app.user_id', '', true), set_config('app.role', 'anonymous', true);
  if p_draw is not null then
    insert into waiting_room_entries (event_id, browser_id, score) values (p_event_id, p_browser_id, p_draw)
    on conflict (event_id, browser_id) do nothing;
    admitted := 0;
    return;
  end if;
  select e.place into place from waiting_room_entries e where e.event_id = p_event_id and e.browser_id = p_browser_id;
  if place is null then
    select g.drawn into v_drawn from waiting_room_gates g where g.event_id = p_event_id;
    if v_drawn is distinct from true then
      perform waiting_room_draw(p_event_id, p_now);
      select e.place into place from waiting_room_entries e where e.event_id = p_event_id and e.browser_id = p_browser_id;
    end if;
    if place is null then
      update waiting_room_gates g set arrivals = g.arrivals + 1 where g.event_id = p_event_id returning g.arrivals into place;
      insert into waiting_room_entries as e (event_id, browser_id, score, place) values (p_event_id, p_browser_id, 1 + place, place)
      on conflict (event_id, browser_id) do update set place = excluded.place, score = excluded.score where e.place is null;
      -- another look of the same browser got there first: its place stands (this number stays a gap)
      select e.place into place from waiting_room_entries e where e.event_id = p_event_id and e.browser_id = p_browser_id;
    end if;
  end if;
  update waiting_room_gates g
  set admitted = case when p_flowing then greatest(g.admitted, least(
        g.admitted + greatest(0, extract(epoch from p_now - g.advanced_at) * 1000) * p_per_minute / 60000, g.arrivals))
      else g.admitted end,
      advanced_at = greatest(g.advanced_at, p_now)
  where g.event_id = p_event_id and g.advanced_at <= p_now - make_interval(secs => p_step_ms / 1000)
  returning g.admitted into admitted;
  if not found then
    select g.admitted into admitted from waiting_room_gates g where g.event_id = p_event_id;
  end if;
  -- the browser's turn has come: its admission starts now, once (a later look keeps the first end)
  if place <= floor(admitted) then
    update waiting_room_entries e set admitted_until = coalesce(e.admitted_until, p_now + make_interval(secs => p_admission_ms / 1000))
    where e.event_id = p_event_id and e.browser_id = p_browser_id
    returning e.admitted_until into admitted_until;
  end if;
end $$;

grant execute on function waiting_room_draw(uuid, timestamptz) to ticketing_app;
grant execute on function waiting_room_visit(uuid, text, double precision, timestamptz, double precision, boolean, double precision, double precision)
  to ticketing_app;

-- What a look at an event's queue reads of the event, in one round trip: the event (not a draft) as
-- src/waitroom/queue-queries.ts's findQueueEvent reads it, what its ticket types could still sell now, and,
-- when that is nothing, whether an unpaid hold may still expire and bring tickets back. The event is read in
-- the anonymous context, as withContext(ANONYMOUS) would; the holds, which are tenant data, in the system
-- context, and only whether one exists leaves the function.
create function waiting_room_look(p_slug text, p_now timestamptz) returns table (
  id uuid, tenant_id uuid, slug text, title text, status text, high_demand boolean, admission_per_minute integer,
  auto_queue_threshold integer, opens_at timestamptz, sales_over boolean, tickets_left bigint, holds_open boolean
) language plpgsql as $$
begin
  perform set_config('role', 'ticketing_app', true), set_config('app.tenant_id', '', true),
          set_config('app.user_id', '', true), set_config('app.role', 'anonymous', true);
  select e.id, e.tenant_id, e.slug, e.title, e.status, e.high_demand, e.admission_per_minute, e.auto_queue_threshold,
         (select min(tt.sales_start) from ticket_types tt where tt.event_id = e.id),
         coalesce((select bool_and(tt.sales_end is not null and tt.sales_end <= p_now) from ticket_types tt where tt.event_id = e.id), true),
         (select coalesce(sum(available_ticket_count(tt.id, p_now)), 0) from ticket_types tt where tt.event_id = e.id)
    into id, tenant_id, slug, title, status, high_demand, admission_per_minute, auto_queue_threshold, opens_at, sales_over, tickets_left
    from events e where e.slug = p_slug and e.status <> 'draft';
  if not found then return; end if;
  holds_open := false;
  if tickets_left = 0 then
    perform set_config('app.role', 'system', true);
    holds_open := exists (select 1 from reservations r where r.event_id = waiting_room_look.id and r.status = 'held' and r.expires_at > p_now);
    perform set_config('app.role', 'anonymous', true);
  end if;
  return next;
end $$;
grant execute on function waiting_room_look(text, timestamptz) to ticketing_app;
