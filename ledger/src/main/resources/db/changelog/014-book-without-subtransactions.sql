--liquibase formatted sql

--changeset coffer:014-book-in-two-steps splitStatements:false
-- coffer_book in two steps, so that a group can learn that a move is refused without an error
-- (and so without a subtransaction to undo it): coffer_book_check takes the locks, releases
-- the payer's reservations past their expiry and checks the rules, answering the refusal (or
-- NULL); coffer_book_apply writes the transfer and its entries. coffer_book is the two in turn,
-- raising the refusal as before: the rules stay in one place.
CREATE FUNCTION coffer_book_check(
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
  IF p_kind = 'deposit' THEN
    p_from := coffer_settlement_for(p_to);
  ELSIF p_kind = 'withdrawal' THEN
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

-- Writes a move that coffer_book_check accepted, with the accounts, currency and time it gave.
CREATE FUNCTION coffer_book_apply(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_currency text,
  p_at timestamptz, p_pending_seconds int, p_description text, p_metadata jsonb,
  p_reversal_of uuid)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  p_pending boolean := p_pending_seconds IS NOT NULL;
BEGIN
  INSERT INTO transfers (id, kind, from_account_id, to_account_id, amount, currency, status,
                         description, created_at, posted_at, expires_at, metadata, reversal_of)
  VALUES (p_id, p_kind, p_from, p_to, p_amount, p_currency,
          CASE WHEN p_pending THEN 'pending' ELSE 'posted' END, p_description, p_at,
          CASE WHEN p_pending THEN NULL ELSE p_at END,
          CASE WHEN p_pending THEN p_at + make_interval(secs => p_pending_seconds) END,
          p_metadata, p_reversal_of);
  IF p_pending THEN
    PERFORM coffer_append_entry(p_from, p_id, p_kind, -p_amount, 0, p_amount, 0, p_to,
                                'pending', p_description, p_at);
    PERFORM coffer_append_entry(p_to, p_id, p_kind, p_amount, 0, 0, p_amount, p_from,
                                'pending', p_description, p_at);
  ELSE
    PERFORM coffer_append_entry(p_from, p_id, p_kind, -p_amount, -p_amount, 0, 0, p_to,
                                'posted', p_description, p_at);
    PERFORM coffer_append_entry(p_to, p_id, p_kind, p_amount, p_amount, 0, 0, p_from,
                                'posted', p_description, p_at);
  END IF;
END $$;

CREATE OR REPLACE FUNCTION coffer_book(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text, p_metadata jsonb, p_reversal_of uuid)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  checked record;
BEGIN
  SELECT * INTO checked FROM coffer_book_check(p_kind, p_from, p_to, p_amount, p_owner);
  IF checked.refusal IS NOT NULL THEN
    RAISE EXCEPTION '%', checked.refusal USING ERRCODE = 'CF001';
  END IF;
  PERFORM coffer_book_apply(p_id, p_kind, checked.from_id, checked.to_id, p_amount,
                            checked.currency, checked.at, p_pending_seconds, p_description,
                            p_metadata, p_reversal_of);
  RETURN QUERY SELECT * FROM transfers WHERE id = p_id;
END $$;

--changeset coffer:014-book-group-at-once splitStatements:false
-- Every account a group of moves names, the settlement shards its deposits and withdrawals use,
-- and the payees of its payers' reservations past their expiry (which coffer_book_check settles
-- first), locked once, in id order (the order coffer_book, settles and the sweeper use): a hot
-- account is locked once per group, and a group cannot deadlock with another write.
CREATE FUNCTION coffer_lock_group(p_kinds text[], p_froms uuid[], p_tos uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM accounts
   WHERE id IN (SELECT a FROM unnest(p_froms || p_tos) a WHERE a IS NOT NULL
                UNION
                SELECT coffer_settlement_for(u.id)
                  FROM unnest(p_kinds, p_froms, p_tos) x(kind, from_id, to_id)
                  JOIN accounts u
                    ON u.id = CASE x.kind WHEN 'deposit' THEN x.to_id ELSE x.from_id END
                 WHERE x.kind IN ('deposit', 'withdrawal') AND u.kind = 'user'
                UNION
                SELECT t.to_account_id FROM transfers t
                 WHERE t.from_account_id IN (SELECT f FROM unnest(p_kinds, p_froms) y(kind, f)
                                              WHERE y.kind <> 'deposit')
                   AND t.status = 'pending' AND t.expires_at <= clock_timestamp())
   ORDER BY id FOR UPDATE;
END $$;

-- coffer_book_group (013), its locks now taken by coffer_lock_group: unchanged otherwise. It is
-- the fallback of coffer_book_group_at_once below.
CREATE OR REPLACE FUNCTION coffer_book_group(
  p_ids uuid[], p_kinds text[], p_froms uuid[], p_tos uuid[], p_amounts bigint[],
  p_owners uuid[], p_pending_seconds int[], p_descriptions text[], p_metadata jsonb[])
RETURNS TABLE (item int, error_code text, error_message text, error_constraint text,
               error_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  i int;
  v_state text;
  v_message text;
  v_constraint text;
  v_detail text;
BEGIN
  PERFORM coffer_lock_group(p_kinds, p_froms, p_tos);
  FOR i IN 1 .. coalesce(cardinality(p_ids), 0) LOOP
    BEGIN
      PERFORM 1 FROM coffer_book(p_ids[i], p_kinds[i], p_froms[i], p_tos[i], p_amounts[i],
                                 p_owners[i], p_pending_seconds[i], p_descriptions[i],
                                 p_metadata[i], NULL);
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                              v_constraint = CONSTRAINT_NAME, v_detail = PG_EXCEPTION_DETAIL;
      IF left(v_state, 2) IN ('40', '53', '57', '58', 'XX') THEN
        RAISE;
      END IF;
      item := i;
      error_code := v_state;
      error_message := v_message;
      error_constraint := nullif(v_constraint, '');
      error_detail := nullif(v_detail, '');
      RETURN NEXT;
    END;
  END LOOP;
END $$;

-- A group booked without subtransactions (the fast path of group commit). coffer_book_group
-- (013) undoes a refused move alone by running each move in a subtransaction; but a row updated
-- in a subtransaction after its transaction locked it gets a MultiXact, and a hot account
-- updated by every move of a group then carries a chain of them that every later look at the
-- row resolves (GetMultiXactIdMembers was half of PostgreSQL's time with all transfers into one
-- account). Here each move is checked first (coffer_book_check, no error), booked only if
-- accepted, and a refusal is reported as the same row coffer_book_group gives (class CF001). Any
-- error fails the whole group: the caller then books the group again through coffer_book_group,
-- which isolates the move at fault (a balance past the JSON-exact cap, an overflow: rare).
CREATE FUNCTION coffer_book_group_at_once(
  p_ids uuid[], p_kinds text[], p_froms uuid[], p_tos uuid[], p_amounts bigint[],
  p_owners uuid[], p_pending_seconds int[], p_descriptions text[], p_metadata jsonb[])
RETURNS TABLE (item int, error_code text, error_message text, error_constraint text,
               error_detail text)
LANGUAGE plpgsql AS $$
DECLARE
  i int;
  checked record;
BEGIN
  PERFORM coffer_lock_group(p_kinds, p_froms, p_tos);
  FOR i IN 1 .. coalesce(cardinality(p_ids), 0) LOOP
    SELECT * INTO checked
      FROM coffer_book_check(p_kinds[i], p_froms[i], p_tos[i], p_amounts[i], p_owners[i]);
    IF checked.refusal IS NULL THEN
      PERFORM coffer_book_apply(p_ids[i], p_kinds[i], checked.from_id, checked.to_id,
                                p_amounts[i], checked.currency, checked.at,
                                p_pending_seconds[i], p_descriptions[i], p_metadata[i], NULL);
    ELSE
      item := i;
      error_code := 'CF001';
      error_message := checked.refusal;
      error_constraint := NULL;
      error_detail := NULL;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;
