--liquibase formatted sql

--changeset coffer:function-coffer_close_account runOnChange:true splitStatements:false
-- Closes p_account, one of p_owner's (issue 30). Refused while a live hold is on it, either side
-- (account-has-holds; a hold past its expiry holds nothing and is left to the sweeper, whose
-- release moves no money), or while its balance is not zero (account-not-empty), unless
-- p_sweep_to names another of p_owner's accounts: then the balance moves there first, as transfer
-- p_sweep_id (from it when the balance is negative), in the same transaction, by the rules of
-- any transfer (insufficient-funds, currency-mismatch, account-closed). Closing a closed account
-- changes nothing. Answers the sweep's id, NULL when nothing moved.
-- Both accounts are locked in id order first, as every write does, so that the sweep (whose
-- coffer_book_check locks them again) cannot deadlock with a move between the two; a move that
-- queued on the lock sees closed_at once this commits, and is refused.
CREATE OR REPLACE FUNCTION coffer_close_account(
  p_account uuid, p_owner uuid, p_sweep_to uuid, p_sweep_id uuid, p_description text)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  a accounts;
  target accounts;
  at timestamptz := clock_timestamp();
  swept uuid;
BEGIN
  PERFORM 1 FROM accounts WHERE id IN (p_account, p_sweep_to) ORDER BY id FOR UPDATE;
  SELECT * INTO a FROM accounts WHERE id = p_account;
  IF a.id IS NULL OR a.owner_id IS DISTINCT FROM p_owner OR a.kind <> 'user' THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF a.closed_at IS NOT NULL THEN
    RETURN NULL;
  END IF;
  IF a.pending_debits - coffer_due_debits(a.id, at) > 0
     OR a.pending_credits - coffer_due_credits(a.id, at) > 0 THEN
    RAISE EXCEPTION 'account-has-holds' USING ERRCODE = 'CF001';
  END IF;
  IF a.balance <> 0 THEN
    IF p_sweep_to IS NULL THEN
      RAISE EXCEPTION 'account-not-empty' USING ERRCODE = 'CF001';
    END IF;
    SELECT * INTO target FROM accounts WHERE id = p_sweep_to;
    IF target.id IS NULL OR target.owner_id IS DISTINCT FROM p_owner OR target.kind <> 'user' THEN
      RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
    END IF;
    IF a.balance > 0 THEN
      PERFORM coffer_book(p_sweep_id, 'transfer', a.id, target.id, a.balance, p_owner, NULL,
                          p_description, NULL, NULL);
    ELSE
      PERFORM coffer_book(p_sweep_id, 'transfer', target.id, a.id, -a.balance, p_owner, NULL,
                          p_description, NULL, NULL);
    END IF;
    swept := p_sweep_id;
  END IF;
  UPDATE accounts SET closed_at = at WHERE id = a.id;
  RETURN swept;
END $$;
