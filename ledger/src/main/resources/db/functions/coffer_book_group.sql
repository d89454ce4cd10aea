--liquibase formatted sql

--changeset coffer:function-coffer_book_group runOnChange:true splitStatements:false
-- The form before a move's terms (issue 29): the one below answers its calls (a default).
DROP FUNCTION IF EXISTS coffer_book_group(uuid[], text[], uuid[], uuid[], bigint[], uuid[], int[], text[], jsonb[]);
-- Books a group of moves, each in a subtransaction so that a refused move is undone alone; locks
-- taken once by coffer_lock_group. The fallback of coffer_book_group_at_once, used only when that
-- fails (it isolates the move at fault).
CREATE OR REPLACE FUNCTION coffer_book_group(
  p_ids uuid[], p_kinds text[], p_froms uuid[], p_tos uuid[], p_amounts bigint[],
  p_owners uuid[], p_pending_seconds int[], p_descriptions text[], p_metadata jsonb[],
  p_terms jsonb[] DEFAULT NULL)
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
                                 p_metadata[i], NULL, p_terms[i]);
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
