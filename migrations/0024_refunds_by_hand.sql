-- A refund Daraja would not make (status manual) is made by the organiser some other way; the manager then
-- records it as done, with their reference for it (an M-Pesa receipt of the money sent, a bank slip …).
-- result_code 'by_hand' tells it apart from a Reversal's completion.
alter table refunds
  add column completed_by     uuid references users (id),
  add column manual_reference text check (length(manual_reference) between 2 and 60);
