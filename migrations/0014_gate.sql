-- The gate: every scan attempt recorded with the client's id of it (a retry is recognised), the device,
-- the gate, and whether the person got in; per-device scanner tokens; and a change stamp on tickets so
-- scanners can fetch only what changed since their last manifest.

-- Scanner devices: a phone's own token, so it keeps working when its session lapses mid-shift. Only a
-- hash of the token is stored. A manager revokes it; it also stops with the person's membership.
create table scanner_devices (
  id           uuid primary key default gen_random_uuid(),
  tenant_id    uuid not null references tenants (id),
  user_id      uuid not null references users (id) on delete cascade,
  -- the client's own device id (a random uuid kept in the phone's storage)
  device_id    text not null check (length(device_id) between 1 and 64),
  label        text not null default '' check (length(label) <= 80),
  token_hash   text not null unique,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  last_seen_at timestamptz,
  revoked_at   timestamptz,
  revoked_by   uuid references users (id)
);
create index scanner_devices_tenant_idx on scanner_devices (tenant_id);
create index scanner_devices_user_idx on scanner_devices (user_id, device_id);
alter table scanner_devices enable row level security;
alter table scanner_devices force row level security;
create policy scanner_devices_tenant on scanner_devices
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy scanner_devices_platform on scanner_devices
  using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update on scanner_devices to ticketing_app;

-- scans.scanned_at is when the scan happened (the device's clock), scans.synced_at when the server
-- learned of it (equal, give or take the network, for online scans; later for offline uploads).
alter table scans drop constraint scans_scan_result_check;
alter table scans add constraint scans_scan_result_check
  check (scan_result in ('valid', 'duplicate', 'invalid', 'expired', 'transferred', 'cancelled', 'unpaid'));
alter table scans
  add column scan_id uuid,
  add column device_id text check (length(device_id) <= 64),
  add column scanner_device_id uuid references scanner_devices (id),
  add column gate text check (length(gate) <= 60),
  -- why a scan was refused: forged, malformed, other_event, old_version, refunded, not_paid …
  add column reason text,
  -- checked on the device without the server (uploaded later through sync)
  add column offline boolean not null default false,
  -- the person went in: a valid scan, or an offline admission the server later found to be a second entry
  add column entered boolean not null default false,
  -- the answer the client got, repeated word for word for a retry with the same scan_id
  add column answer jsonb,
  add column undone_at timestamptz,
  add column undone_by uuid references users (id);
update scans set synced_at = scanned_at where synced_at is null;
alter table scans alter column synced_at set default now();
create unique index scans_event_scan_id_idx on scans (event_id, scan_id);
create index scans_event_time_idx on scans (event_id, scanned_at);
grant update on scans to ticketing_app;

-- When a ticket last changed in a way a scanner cares about (status, QR version, admission), from the
-- database clock at the change: manifest deltas are "changed since". A trigger, so a change made by any
-- code path (cancellation, refund, transfer) is seen without that code knowing about scanners.
alter table tickets add column gate_changed_at timestamptz not null default now();
create index tickets_event_gate_changed_idx on tickets (event_id, gate_changed_at);
create function tickets_gate_changed() returns trigger language plpgsql as $$
begin
  if new.status is distinct from old.status or new.qr_version is distinct from old.qr_version
     or new.scanned_at is distinct from old.scanned_at then
    new.gate_changed_at := clock_timestamp();
  end if;
  return new;
end $$;
create trigger tickets_gate_changed before update on tickets for each row execute function tickets_gate_changed();
