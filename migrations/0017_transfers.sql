-- Ticket transfers with a one-time code on both sides. Codes and the recipient's link are kept only as
-- SHA-256 hashes; the audit trail keeps QR versions and a hash of each code, never a live code.
alter table transfers drop constraint transfers_status_check;
alter table transfers add constraint transfers_status_check
  check (status in ('pending', 'completed', 'cancelled', 'expired'));

alter table transfers
  add column to_contact            text not null default '' check (length(to_contact) <= 254),
  add column to_channel            text not null default 'whatsapp' check (to_channel in ('whatsapp', 'email')),
  add column lang                  text not null default 'en' check (lang in ('en', 'sw')),
  add column expires_at            timestamptz not null default (now() + interval '24 hours'),
  add column sender_code_hash      text,
  add column sender_code_expires_at timestamptz,
  add column sender_attempts       integer not null default 0 check (sender_attempts >= 0),
  add column sender_confirmed_at   timestamptz,
  add column recipient_link_hash   text unique,
  add column recipient_code_hash   text,
  add column recipient_code_expires_at timestamptz,
  add column recipient_attempts    integer not null default 0 check (recipient_attempts >= 0),
  add column old_qr_version        integer check (old_qr_version >= 1),
  add column old_qr_hash           text,
  add column new_qr_version        integer check (new_qr_version >= 1),
  add column new_qr_hash           text,
  add column ended_at              timestamptz;

-- at most one transfer in progress per ticket, whatever two requests do at once
create unique index transfers_one_pending_idx on transfers (ticket_id) where status = 'pending';
create index transfers_pending_expiry_idx on transfers (expires_at) where status = 'pending';
