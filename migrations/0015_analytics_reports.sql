-- Organiser analytics: saved custom reports, exports prepared in the background, and the indexes the
-- dashboard's aggregates read (per event and status, tickets by the payment that sold them).

create table saved_reports (
  id          uuid primary key default gen_random_uuid(),
  tenant_id   uuid not null references tenants (id),
  created_by  uuid not null references users (id),
  name        text not null check (length(name) between 1 and 80),
  dataset     text not null check (dataset in ('orders', 'attendees', 'checkins', 'transfers', 'payouts')),
  columns     text[] not null check (cardinality(columns) between 1 and 40),
  -- event, ticket type and Nairobi days (from, to), as the dashboard's filter
  filters     jsonb not null default '{}',
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  unique (tenant_id, name)
);
create index saved_reports_tenant_idx on saved_reports (tenant_id, name);

-- An export too large to build inside one request: a job builds it, the page polls its progress.
create table export_jobs (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid not null references tenants (id),
  requested_by uuid not null references users (id),
  dataset      text not null check (dataset in ('orders', 'attendees', 'checkins', 'transfers', 'payouts')),
  file_type    text not null check (file_type in ('csv', 'xlsx', 'pdf')),
  columns      text[] not null,
  filters      jsonb not null default '{}',
  status       text not null default 'pending' check (status in ('pending', 'running', 'done', 'failed')),
  total_rows   integer not null default 0 check (total_rows >= 0),
  done_rows    integer not null default 0 check (done_rows >= 0),
  filename     text,
  content_type text,
  result       bytea,
  error        text,
  created_at   timestamptz not null default now(),
  finished_at  timestamptz,
  -- the file is dropped after this (it holds buyers' contacts)
  expires_at   timestamptz not null default now() + interval '24 hours'
);
create index export_jobs_tenant_idx on export_jobs (tenant_id, created_at desc);

do $$
declare
  t text;
begin
  foreach t in array array['saved_reports', 'export_jobs']
  loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy %I on %I
                      using (tenant_id = (select current_tenant_id()))
                      with check (tenant_id = (select current_tenant_id()))$p$, t || '_tenant', t);
    execute format($p$create policy %I on %I
                      using ((select is_platform_context()))
                      with check ((select is_platform_context()))$p$, t || '_platform', t);
    execute format('grant select, insert, update, delete on %I to ticketing_app', t);
  end loop;
end $$;

create index transactions_event_status_idx on transactions (event_id, status, completed_at);
create index tickets_transaction_idx on tickets (transaction_id);
create index if not exists scans_event_time_idx on scans (event_id, scanned_at);
