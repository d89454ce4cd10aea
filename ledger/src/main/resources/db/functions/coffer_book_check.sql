--liquibase formatted sql

--changeset coffer:function-coffer_book_check runOnChange:true splitStatements:false
-- Takes a move's locks, settles the payer's reservations past their expiry and checks the rules,
-- answering the refusal (or NULL) rather than raising it, so that a group can learn that one move
-- is refused without a subtransaction to undo it. A deposit into, or a withdrawal from, an account
-- that does not exist is a refusal too (not-found), like every other: as an error it would fail a
-- whole group booked at once, which any client could then make take the slower path.
CREATE OR REPLACE FUNCTION coffer_book_check(
  p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  OUT refusal text, OUT from_id uuid, OUT to_id uuid, OUT currency text, OUT at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  src accounts;
  dst accounts;
  due_ids uuid[];
  due_to uuid[];
  due_id uuid;
BEGIN
  at := clock_timestamp();
  -- Deposits come from, and withdrawals go to, the settlement account (NULL here).
  -- coffer_settlement_for raises not-found for an account that does not exist: asked first, so
  -- that a group learns it as a refusal, not as an error that fails the whole group.
  IF p_kind = 'deposit' THEN
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = p_to) THEN
      refusal := 'not-found';
      RETURN;
    END IF;
    p_from := coffer_settlement_for(p_to);
  ELSIF p_kind = 'withdrawal' THEN
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE id = p_from) THEN
      refusal := 'not-found';
      RETURN;
    END IF;
    p_to := coffer_settlement_for(p_from);
  END IF;
  from_id := p_from;
  to_id := p_to;
  IF p_from = p_to THEN
    refusal := 'same-account';
    RETURN;
  END IF;
  -- Reservations of p_from past their expiry hold nothing (see 005).
  IF p_kind <> 'deposit' THEN
    SELECT array_agg(id), array_agg(to_account_id) INTO due_ids, due_to FROM transfers
     WHERE from_account_id = p_from AND status = 'pending' AND expires_at <= at;
  END IF;
  -- One deterministic lock order (by id) for every write: no deadlock between two transfers.
  PERFORM 1 FROM accounts
   WHERE id = ANY(ARRAY[p_from, p_to] || coalesce(due_to, '{}'::uuid[])) ORDER BY id FOR UPDATE;
  IF due_ids IS NOT NULL THEN
    FOR due_id IN SELECT id FROM transfers WHERE id = ANY(due_ids) AND status = 'pending'
                  FOR UPDATE SKIP LOCKED LOOP
      PERFORM coffer_settle(due_id, NULL, 'expired');
    END LOOP;
  END IF;
  SELECT * INTO src FROM accounts WHERE id = p_from;
  SELECT * INTO dst FROM accounts WHERE id = p_to;
  IF src.id IS NULL OR dst.id IS NULL
     OR (p_kind = 'deposit' AND dst.owner_id IS DISTINCT FROM p_owner)
     OR (p_kind <> 'deposit' AND src.owner_id IS DISTINCT FROM p_owner)
     -- Only deposits and withdrawals reach the settlement account, whose id entries show.
     OR (p_kind = 'transfer' AND dst.kind <> 'user') THEN
    refusal := 'not-found';
    RETURN;
  END IF;
  -- A closed account refuses every move into or out of it (issue 30); the row locks above order
  -- this against coffer_close_account, so no move slips in while it closes.
  IF src.closed_at IS NOT NULL OR dst.closed_at IS NOT NULL THEN
    refusal := 'account-closed';
    RETURN;
  END IF;
  IF src.currency <> dst.currency THEN
    refusal := 'currency-mismatch';
    RETURN;
  END IF;
  -- Spendable money counts reserved (pending) debits: available = balance - pending + overdraft.
  IF src.kind <> 'settlement'
     AND src.balance - src.pending_debits + src.overdraft_limit < p_amount THEN
    refusal := 'insufficient-funds';
    RETURN;
  END IF;
  currency := src.currency;
END $$;
