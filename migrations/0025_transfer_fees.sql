-- Transfer fees: where an event charges one, the sender pays it by M-Pesa (a `transfer_fee` transaction)
-- after confirming with their code and before the recipient is asked. The payment names its transfer; the
-- transfer names the one payment that paid its fee, and when (a second payment, or one for a transfer that
-- is over, is refunded).
alter table transactions add column transfer_id uuid references transfers (id);
create index transactions_transfer_idx on transactions (transfer_id) where transfer_id is not null;
-- one prompt at a time per transfer, whatever two taps do at once
create unique index transactions_one_pending_fee_idx on transactions (transfer_id)
  where transfer_id is not null and status = 'pending';

alter table transfers
  add column fee_transaction_id uuid references transactions (id),
  add column fee_paid_at        timestamptz;

-- a ticket's owner may act through the API with the bearer token of the reservation that bought it
create index reservations_access_token_idx on reservations (access_token_hash);
