--liquibase formatted sql

--changeset coffer:function-coffer_append_pair runOnChange:true splitStatements:false
-- A move's two entries, the payer's and the payee's, appended as coffer_append_entry appends one
-- (next seq, the deltas applied to the account, the balance and pending amounts after, a booking
-- time that never goes back per account), in one statement for both: one update of the two
-- accounts and one insert of the two entries, instead of two calls of two statements each (the
-- statements, not the rows, are most of what PL/pgSQL costs here: issue 28). The entries are
-- chained by the entries_chain trigger as any other. p_from_deltas and p_to_deltas are each
-- {balance, pending debits, pending credits}; the payer's entry is -p_amount, the payee's
-- p_amount.
CREATE OR REPLACE FUNCTION coffer_append_pair(
  p_transfer uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint,
  p_from_deltas bigint[], p_to_deltas bigint[], p_status text, p_description text,
  p_at timestamptz, p_effective_at timestamptz DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  appended int;
BEGIN
  WITH side (account, counterparty, amount, deltas, n) AS (
    VALUES (p_from, p_to, -p_amount, p_from_deltas, 1), (p_to, p_from, p_amount, p_to_deltas, 2)),
  moved AS (
    UPDATE accounts a
       SET balance = a.balance + s.deltas[1],
           pending_debits = a.pending_debits + s.deltas[2],
           pending_credits = a.pending_credits + s.deltas[3],
           last_seq = a.last_seq + 1,
           last_booked_at = greatest(a.last_booked_at, p_at)
      FROM side s
     WHERE a.id = s.account
    RETURNING a.id, a.last_seq, a.balance, a.pending_debits, a.pending_credits, a.last_booked_at,
              s.counterparty, s.amount, s.n)
  INSERT INTO entries (account_id, seq, transfer_id, kind, amount, balance_after,
                       counterparty_account_id, status, description, created_at,
                       pending_debits_after, pending_credits_after, booked_at, effective_at)
  SELECT m.id, m.last_seq, p_transfer, p_kind, m.amount, m.balance, m.counterparty, p_status,
         p_description, p_at, m.pending_debits, m.pending_credits, m.last_booked_at,
         -- least() skips NULLs: a move that is not back-dated keeps NULL.
         CASE WHEN p_effective_at IS NOT NULL THEN least(p_effective_at, p_at) END
    FROM moved m ORDER BY m.n;
  -- Both accounts exist and are locked by the caller (coffer_book_check); anything else is a bug
  -- that must not pass as a one-sided move.
  GET DIAGNOSTICS appended = ROW_COUNT;
  IF appended <> 2 THEN
    RAISE EXCEPTION 'coffer_append_pair: % entries appended for transfer %', appended, p_transfer;
  END IF;
END $$;
