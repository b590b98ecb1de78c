-- Password-reset and email-confirmation tokens now carry their person's user id (so a newer link, or
-- using one, voids the others); the live ones issued before named the person only in metadata.
-- In the platform context, for the row-level security that applies to the table's owner too.
select set_config('app.role', 'system', true);
update one_time_tokens t
   set user_id = (t.metadata ->> 'userId')::uuid
 where t.purpose in ('password_reset', 'email_verification')
   and t.user_id is null
   and t.used_at is null
   and t.metadata ->> 'userId' ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
   and exists (select 1 from users u where u.id = (t.metadata ->> 'userId')::uuid);
