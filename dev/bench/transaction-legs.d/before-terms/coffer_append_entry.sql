
-- Appends an account's next entry (seq = last_seq + 1) and moves the account's balance and pending
-- amounts by the deltas given. The entry records the balance and pending amounts after it and its
-- booking time, which never goes back per account (the later of p_at and the last booking time).
CREATE OR REPLACE FUNCTION coffer_append_entry(
  p_account uuid, p_transfer uuid, p_kind text, p_amount bigint, p_balance_delta bigint,
  p_pending_debit_delta bigint, p_pending_credit_delta bigint, p_counterparty uuid,
  p_status text, p_description text, p_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
  new_balance bigint;
  new_pending_debits bigint;
  new_pending_credits bigint;
  booked timestamptz;
BEGIN
  UPDATE accounts
     SET balance = balance + p_balance_delta,
         pending_debits = pending_debits + p_pending_debit_delta,
         pending_credits = pending_credits + p_pending_credit_delta,
         last_seq = last_seq + 1,
         last_booked_at = greatest(last_booked_at, p_at)
   WHERE id = p_account
  RETURNING last_seq, balance, pending_debits, pending_credits, last_booked_at
       INTO next_seq, new_balance, new_pending_debits, new_pending_credits, booked;
  INSERT INTO entries (account_id, seq, transfer_id, kind, amount, balance_after,
                       counterparty_account_id, status, description, created_at,
                       pending_debits_after, pending_credits_after, booked_at)
  VALUES (p_account, next_seq, p_transfer, p_kind, p_amount, new_balance,
          p_counterparty, p_status, p_description, p_at,
          new_pending_debits, new_pending_credits, booked);
END $$;
