-- The organiser's terms and conditions as a link printed on every PDF ticket (and shown beside the terms'
-- text): https only, at most 500 characters. The form checks the same before it gets here.
alter table events
  add column terms_url text check (terms_url is null or (terms_url ~ '^https://[^\s]+$' and length(terms_url) <= 500));
