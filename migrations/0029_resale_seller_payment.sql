-- Which payment bought the ticket its seller lists, and what that seat cost them. When the event is cancelled
-- after a resale, the resale buyer's payment is refunded and the seller's own payment is refunded less the
-- seats they sold on: the seller has had that money back from the buyer, so refunding it again would pay twice.
alter table marketplace_listings
  add column seller_transaction_id uuid references transactions (id),
  add column seller_paid_minor     integer check (seller_paid_minor >= 0);

create index resale_listings_seller_transaction_idx on marketplace_listings (seller_transaction_id)
  where status = 'sold';
