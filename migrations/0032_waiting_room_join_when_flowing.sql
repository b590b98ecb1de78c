-- A look that finds nothing left costs no write for a browser without a place.
--
-- While every ticket is held by buyers paying, a newcomer cannot get a ticket now. 0031 still gave it a place
-- at the back (a write, and a lock on the gate's row for its arrival number), so the late crowd of a flash
-- sale cost the database one write each. Now waiting_room_visit() gives a place only while tickets flow
-- (p_flowing): a browser without a place gets none while nothing is left (its next look after tickets come
-- back joins it); browsers already in the queue keep their places, as before; the pre-queue always joins.

-- The queue of 0028 numbered arrivals with this sequence; 0031 gave places from the gate's own counter.
drop sequence waiting_room_arrivals;

-- As in 0031, and: after the opening, a browser without a place gets one only while p_flowing.
create or replace function waiting_room_visit(
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
    if place is null and p_flowing then
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

-- The event a hold asks about while its queue may run (src/waitroom/admission-check.ts), by id, read as
-- src/waitroom/queue-queries.ts's findQueueEvent reads it, in one round trip: it sets the anonymous context
-- itself, as withContext(ANONYMOUS) would, instead of a transaction of four (begin, context, read, commit)
-- in front of every hold.
create function waiting_room_event(p_event_id uuid, p_now timestamptz) returns table (
  id uuid, tenant_id uuid, slug text, title text, status text, high_demand boolean, admission_per_minute integer,
  auto_queue_threshold integer, opens_at timestamptz, sales_over boolean
) language plpgsql as $$
begin
  perform set_config('role', 'ticketing_app', true), set_config('app.tenant_id', '', true),
          set_config('app.user_id', '', true), set_config('app.role', 'anonymous', true);
  return query
  select e.id, e.tenant_id, e.slug, e.title, e.status, e.high_demand, e.admission_per_minute, e.auto_queue_threshold,
         (select min(tt.sales_start) from ticket_types tt where tt.event_id = e.id),
         coalesce((select bool_and(tt.sales_end is not null and tt.sales_end <= p_now) from ticket_types tt where tt.event_id = e.id), true)
    from events e where e.id = p_event_id and e.status <> 'draft';
end $$;
grant execute on function waiting_room_event(uuid, timestamptz) to ticketing_app;
