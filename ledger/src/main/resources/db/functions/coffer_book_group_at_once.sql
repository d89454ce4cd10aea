--liquibase formatted sql

--changeset coffer:function-coffer_book_group_at_once runOnChange:true splitStatements:false
-- The form before a move's terms (issue 29): the one below answers its calls (a default).
DROP FUNCTION IF EXISTS coffer_book_group_at_once(uuid[], text[], uuid[], uuid[], bigint[], uuid[], int[], text[], jsonb[]);
-- A group booked without subtransactions (the fast path of group commit). Undoing a refused move
-- alone with a subtransaction has a cost: a row updated in a subtransaction after its transaction
-- locked it gets a MultiXact, and a hot account updated by every move of a group then carries a
-- chain of them that every later look at the row resolves (GetMultiXactIdMembers was half of
-- PostgreSQL's time with all transfers into one account). Here each move is checked first
-- (coffer_book_check, no error), booked only if accepted, and a refusal is reported as the same
-- row coffer_book_group gives (class CF001). Any error fails the whole group: the caller then books
-- the group again through coffer_book_group, which isolates the move at fault (a balance past the
-- JSON-exact cap, an overflow: rare).
CREATE OR REPLACE FUNCTION coffer_book_group_at_once(
  p_ids uuid[], p_kinds text[], p_froms uuid[], p_tos uuid[], p_amounts bigint[],
  p_owners uuid[], p_pending_seconds int[], p_descriptions text[], p_metadata jsonb[],
  p_terms jsonb[] DEFAULT NULL)
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
      FROM coffer_book_check(p_kinds[i], p_froms[i], p_tos[i], p_amounts[i], p_owners[i],
                             p_terms[i], p_pending_seconds[i] IS NOT NULL);
    IF checked.refusal IS NULL THEN
      PERFORM coffer_book_apply(p_ids[i], p_kinds[i], checked.from_id, checked.to_id,
                                checked.amount, checked.currency, checked.at,
                                p_pending_seconds[i], p_descriptions[i], p_metadata[i], NULL,
                                (p_terms[i]->>'effectiveAt')::timestamptz);
    ELSE
      item := i;
      error_code := 'CF001';
      error_message := checked.refusal;
      error_constraint := NULL;
      error_detail := checked.refusal_detail;
      RETURN NEXT;
    END IF;
  END LOOP;
END $$;
