--liquibase formatted sql

--changeset coffer:function-coffer_book_check runOnChange:true splitStatements:false
-- The form before a move's terms (issue 29): the one below answers its calls (defaults).
DROP FUNCTION IF EXISTS coffer_book_check(text, uuid, uuid, bigint, uuid);
-- Takes a move's locks, settles the payer's reservations past their expiry and checks the rules,
-- answering the refusal (or NULL) rather than raising it, so that a group can learn that one move
-- is refused without a subtransaction to undo it. A deposit into, or a withdrawal from, an account
-- that does not exist is a refusal too (not-found), like every other: as an error it would fail a
-- whole group booked at once, which any client could then make take the slower path.
-- p_terms (NULL for a plain move) may hold: "versions" {account id: last_seq the caller read},
-- compared before anything here changes the accounts (version-mismatch, the account in
-- refusal_detail); "balancing": true, the move takes what the payer has available, at most
-- p_amount (the amount answered); "require" [{account, measure, op, value}], conditions on the
-- balances the move would leave (condition-failed, "require[i]" in refusal_detail). Every account
-- they name is one of the move's own, already locked, and must be the caller's (else not-found).
CREATE OR REPLACE FUNCTION coffer_book_check(
  p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_terms jsonb DEFAULT NULL, p_pending boolean DEFAULT false,
  OUT refusal text, OUT from_id uuid, OUT to_id uuid, OUT currency text, OUT at timestamptz,
  OUT amount bigint, OUT refusal_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  src accounts;
  dst accounts;
  due_ids uuid[];
  due_to uuid[];
  term_key text;
  term_value jsonb;
  seen_version bigint;
  term_index int;
  seen_seq bigint;
  measured bigint;
  posted_delta bigint;
BEGIN
  at := clock_timestamp();
  amount := p_amount;
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
  -- A version lock compares what the caller read with the account as it stands under the lock,
  -- before the expiries below add entries of their own.
  IF p_terms IS NOT NULL AND p_terms->'versions' IS NOT NULL THEN
    FOR term_key, seen_version IN SELECT key, value::bigint FROM jsonb_each_text(p_terms->'versions') LOOP
      SELECT last_seq INTO seen_seq FROM accounts
       WHERE id = term_key::uuid AND id IN (p_from, p_to) AND owner_id = p_owner;
      IF NOT FOUND THEN
        refusal := 'not-found';
        RETURN;
      END IF;
      IF seen_seq <> seen_version THEN
        refusal := 'version-mismatch';
        refusal_detail := term_key;
        RETURN;
      END IF;
    END LOOP;
  END IF;
  IF due_ids IS NOT NULL THEN
    PERFORM coffer_settle_due(due_ids);
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
  -- A balancing move takes what is available, at most the amount asked, read under the lock: a
  -- sweep has no read-then-write race.
  IF p_terms IS NOT NULL AND (p_terms->>'balancing')::boolean AND src.kind <> 'settlement' THEN
    amount := least(p_amount, src.balance - src.pending_debits + src.overdraft_limit);
    IF amount < 1 THEN
      refusal := 'insufficient-funds';
      RETURN;
    END IF;
  END IF;
  -- Spendable money counts reserved (pending) debits: available = balance - pending + overdraft.
  IF src.kind <> 'settlement'
     AND src.balance - src.pending_debits + src.overdraft_limit < amount THEN
    refusal := 'insufficient-funds';
    RETURN;
  END IF;
  -- Conditions hold on what the move leaves: a posted move changes both balances, a pending one
  -- only the payer's available (its reserved debits).
  IF p_terms IS NOT NULL AND p_terms->'require' IS NOT NULL THEN
    posted_delta := CASE WHEN p_pending THEN 0 ELSE amount END;
    FOR term_index IN 0 .. jsonb_array_length(p_terms->'require') - 1 LOOP
      term_value := p_terms->'require'->term_index;
      IF (term_value->>'account')::uuid = src.id AND src.owner_id = p_owner THEN
        measured := CASE term_value->>'measure'
                      WHEN 'balance' THEN src.balance - posted_delta
                      ELSE src.balance - src.pending_debits + src.overdraft_limit - amount END;
      ELSIF (term_value->>'account')::uuid = dst.id AND dst.owner_id = p_owner THEN
        measured := CASE term_value->>'measure'
                      WHEN 'balance' THEN dst.balance + posted_delta
                      ELSE dst.balance - dst.pending_debits + dst.overdraft_limit + posted_delta END;
      ELSE
        refusal := 'not-found';
        RETURN;
      END IF;
      IF (term_value->>'op' = 'gte' AND measured < (term_value->>'value')::bigint)
         OR (term_value->>'op' = 'lte' AND measured > (term_value->>'value')::bigint) THEN
        refusal := 'condition-failed';
        refusal_detail := 'require[' || term_index || ']';
        RETURN;
      END IF;
    END LOOP;
  END IF;
  currency := src.currency;
END $$;
