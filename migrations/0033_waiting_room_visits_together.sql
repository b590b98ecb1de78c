-- The looks of one event's queue that arrive together go to the database together.
--
-- 0031's waiting_room_visit() took one browser a call. In a sale's first second every newcomer's call took
-- the gate's row for its place number and held it until its own commit, so 500 newcomers queued behind 500
-- commits (a p99 near a second). waiting_room_visits() takes the browsers of the looks that arrived while the
-- last call was at the database (src/waitroom/postgres-queue-store.ts): one call, one commit, one update of the
-- gate for all their places. Each browser is answered as waiting_room_visit() answered it.
--
-- p_browser_ids are distinct, in arrival order: browsers without a place get the next places in that order.
-- p_draws (before the opening) are their secret draws, in the same order; null after the opening.
create function waiting_room_visits(
  p_event_id uuid, p_browser_ids text[], p_draws double precision[], p_now timestamptz,
  p_per_minute double precision, p_flowing boolean, p_step_ms double precision, p_admission_ms double precision
) returns table (browser_id text, place bigint, admitted double precision, admitted_until timestamptz)
language plpgsql as $$
#variable_conflict use_column
declare
  v_drawn boolean;
  v_missing text[];
  v_last bigint;
  v_admitted double precision;
begin
  -- called on its own (one round trip): the same context as the app's withContext(ANONYMOUS)
  perform set_config('role', 'ticketing_app', true), set_config('app.tenant_id', '', true),
          set_config('app.user_id', '', true), set_config('app.role', 'anonymous', true);
  if p_draws is not null then
    insert into waiting_room_entries (event_id, browser_id, score)
    select p_event_id, v.b, v.d from unnest(p_browser_ids, p_draws) as v (b, d) order by v.b
    on conflict (event_id, browser_id) do nothing;
    return query select v.b, null::bigint, 0::double precision, null::timestamptz
      from unnest(p_browser_ids) with ordinality as v (b, n) order by v.n;
    return;
  end if;
  select array_agg(v.b order by v.n) into v_missing from unnest(p_browser_ids) with ordinality as v (b, n)
  where not exists (select 1 from waiting_room_entries e where e.event_id = p_event_id and e.browser_id = v.b and e.place is not null);
  if v_missing is not null then
    select g.drawn into v_drawn from waiting_room_gates g where g.event_id = p_event_id;
    if v_drawn is distinct from true then
      perform waiting_room_draw(p_event_id, p_now);
      select array_agg(m.b order by m.n) into v_missing from unnest(v_missing) with ordinality as m (b, n)
      where not exists (select 1 from waiting_room_entries e where e.event_id = p_event_id and e.browser_id = m.b and e.place is not null);
    end if;
    if v_missing is not null and p_flowing then
      update waiting_room_gates g set arrivals = g.arrivals + cardinality(v_missing) where g.event_id = p_event_id
      returning g.arrivals into v_last;
      -- places in arrival order, rows written in key order (a deadlock with another writer of the same
      -- entries is still possible, and the app then makes the call once more)
      insert into waiting_room_entries as e (event_id, browser_id, score, place)
      select p_event_id, m.b, 1 + v_last - cardinality(v_missing) + m.n, v_last - cardinality(v_missing) + m.n
        from unnest(v_missing) with ordinality as m (b, n) order by m.b
      on conflict (event_id, browser_id) do update set place = excluded.place, score = excluded.score where e.place is null;
      -- a browser another call placed first keeps its place (the number given here stays a gap)
    end if;
  end if;
  update waiting_room_gates g
  set admitted = case when p_flowing then greatest(g.admitted, least(
        g.admitted + greatest(0, extract(epoch from p_now - g.advanced_at) * 1000) * p_per_minute / 60000, g.arrivals))
      else g.admitted end,
      advanced_at = greatest(g.advanced_at, p_now)
  where g.event_id = p_event_id and g.advanced_at <= p_now - make_interval(secs => p_step_ms / 1000)
  returning g.admitted into v_admitted;
  if not found then
    select g.admitted into v_admitted from waiting_room_gates g where g.event_id = p_event_id;
  end if;
  -- the browsers whose turn has come: their admissions start now, once (a later look keeps the first end)
  update waiting_room_entries e set admitted_until = p_now + make_interval(secs => p_admission_ms / 1000)
  where e.event_id = p_event_id and e.browser_id = any (p_browser_ids) and e.place <= floor(v_admitted) and e.admitted_until is null;
  return query
  select v.b, e.place, coalesce(v_admitted, 0), case when e.place <= floor(v_admitted) then e.admitted_until end
    from unnest(p_browser_ids) with ordinality as v (b, n)
    left join waiting_room_entries e on e.event_id = p_event_id and e.browser_id = v.b
   order by v.n;
end $$;
grant execute on function waiting_room_visits(uuid, text[], double precision[], timestamptz, double precision, boolean,
  double precision, double precision) to ticketing_app;

-- Replaced by waiting_room_visits().
drop function waiting_room_visit(uuid, text, double precision, timestamptz, double precision, boolean, double precision, double precision);
