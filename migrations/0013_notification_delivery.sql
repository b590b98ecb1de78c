-- Messages delivered for real. Every message is a notifications row written in the transaction of the
-- change that causes it; one dispatcher claims due rows (pending -> sending -> sent | failed | bounced),
-- retries with backoff, and records the provider's id and the last error.

-- Types: the platform's own plus the cancellation and refund notices; an unknown type is refused.
alter table notifications drop constraint if exists notifications_type_check;
alter table notifications add constraint notifications_type_check check (type in (
  'ticket_delivery', 'payment_failed', 'event_reminder', 'transfer_confirmation', 'password_reset',
  'verification_code', 'staff_invitation', 'email_verification',
  'event_cancelled', 'event_postponed', 'refund_issued', 'refund_completed', 'refund_failed',
  'transfer_otp', 'transfer_received'));

alter table notifications drop constraint if exists notifications_status_check;
alter table notifications add constraint notifications_status_check
  check (status in ('pending', 'sending', 'sent', 'failed', 'bounced'));

alter table notifications
  add column lang           text not null default 'en' check (lang in ('en', 'sw')),
  -- not before this time (a retry's backoff, a reminder's hour, a WhatsApp pace slot)
  add column next_attempt_at timestamptz,
  -- a row left in 'sending' past this time belongs to a dispatcher that died mid-send
  add column locked_until   timestamptz,
  add column last_error     text,
  add column delivered_at   timestamptz,
  -- one message per purpose: a payment-failed notice per reservation, a reminder per holder and kind
  add column dedupe_key     text,
  add column updated_at     timestamptz not null default now();

create unique index notifications_dedupe_idx on notifications (dedupe_key) where dedupe_key is not null;
create index notifications_due_idx on notifications (coalesce(next_attempt_at, created_at))
  where status in ('pending', 'sending');
create index notifications_email_id_idx on notifications (email_id) where email_id is not null;
create index notifications_whatsapp_id_idx on notifications (whatsapp_id) where whatsapp_id is not null;
create index notifications_tenant_created_idx on notifications (tenant_id, created_at desc);

-- A payment-failed message's link back to the same hold, on any device (single use, while the hold runs).
alter table one_time_tokens drop constraint if exists one_time_tokens_purpose_check;
alter table one_time_tokens add constraint one_time_tokens_purpose_check
  check (purpose in ('password_reset', 'email_verification', 'phone_verification', 'staff_invitation', 'ticket_link',
                     'reservation_resume'));

-- How the buyer asked to hear about a purchase: chosen at checkout, carried by the payment.
alter table transactions
  add column buyer_email    text check (buyer_email is null or length(buyer_email) between 3 and 254),
  add column notify_channel text check (notify_channel in ('email', 'whatsapp', 'both'));

-- Whether the ticket PDF goes out on WhatsApp too (sendFile); the link always does.
alter table events add column whatsapp_ticket_pdf boolean not null default true;

-- A tenant's own wording of a message, per type and language; without one the catalog's applies.
create table notification_templates (
  tenant_id  uuid not null references tenants (id),
  type       text not null check (type ~ '^[a-z_]{1,40}$'),
  lang       text not null check (lang in ('en', 'sw')),
  subject    text not null check (length(subject) <= 200),
  body       text not null check (length(body) between 1 and 5000),
  updated_by uuid references users (id),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, type, lang)
);
alter table notification_templates enable row level security;
alter table notification_templates force row level security;
create policy notification_templates_tenant on notification_templates
  using (tenant_id = (select current_tenant_id())) with check (tenant_id = (select current_tenant_id()));
create policy notification_templates_platform on notification_templates
  using ((select is_platform_context())) with check ((select is_platform_context()));
grant select, insert, update, delete on notification_templates to ticketing_app;
