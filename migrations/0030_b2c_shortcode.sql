-- Resale payouts go out through M-Pesa B2C, which pays from a B2C (bulk disbursement) shortcode, not the
-- paybill or till that takes STK payments. Not a secret: kept plain next to the collecting shortcode.
alter table mpesa_credentials
  add column b2c_shortcode text check (b2c_shortcode ~ '^[0-9]{5,7}$');
