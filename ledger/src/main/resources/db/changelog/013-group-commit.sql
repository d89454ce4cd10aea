--liquibase formatted sql

--changeset coffer:013-book-group splitStatements:false
-- Books a group of moves in the caller's transaction (group commit): item i is coffer_book's
-- call with the i-th element of every array. Every account the group names, the settlement
-- shards its deposits and withdrawals use, and the payees of its payers' reservations past their
-- expiry (which coffer_book settles first), is locked first, once, in id order (the order
-- coffer_book, settles and the sweeper use): a hot account is then locked once per group, and a
-- group cannot deadlock with another write on the accounts it touches. Each item runs in its own subtransaction, so a refused item (a rule,
-- the funds check, a constraint) is undone alone and reported as a row (its 1-based index and
-- the error's fields); the others stand. Errors that are about the transaction or the server, not
-- the item (classes 40, 53, 57, 58, XX: deadlock, resources, shutdown, I/O, internal) fail the whole
-- group, which the caller retries or reports for every item. Keep groups under 64 items: more
-- subtransactions than that overflow each backend's cache of them, which slows every snapshot.
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
