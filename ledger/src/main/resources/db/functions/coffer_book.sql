--liquibase formatted sql

--changeset coffer:function-coffer_book runOnChange:true splitStatements:false
-- The form before a move's terms (issue 29): the one below answers its calls (a default).
DROP FUNCTION IF EXISTS coffer_book(uuid, text, uuid, uuid, bigint, uuid, int, text, jsonb, uuid);
-- Books one move: coffer_book_check takes the locks and checks the rules (and p_terms, see there),
-- coffer_book_apply writes it; a refusal is raised as an error of class CF001 naming it, with what
-- it is about (an account, a condition) as its detail.
CREATE OR REPLACE FUNCTION coffer_book(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text, p_metadata jsonb, p_reversal_of uuid,
  p_terms jsonb DEFAULT NULL)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  checked record;
BEGIN
  SELECT * INTO checked
    FROM coffer_book_check(p_kind, p_from, p_to, p_amount, p_owner, p_terms,
                           p_pending_seconds IS NOT NULL);
  IF checked.refusal_detail IS NOT NULL THEN
    RAISE EXCEPTION '%', checked.refusal USING ERRCODE = 'CF001', DETAIL = checked.refusal_detail;
  ELSIF checked.refusal IS NOT NULL THEN
    RAISE EXCEPTION '%', checked.refusal USING ERRCODE = 'CF001';
  END IF;
  PERFORM coffer_book_apply(p_id, p_kind, checked.from_id, checked.to_id, checked.amount,
                            checked.currency, checked.at, p_pending_seconds, p_description,
                            p_metadata, p_reversal_of, (p_terms->>'effectiveAt')::timestamptz);
  RETURN QUERY SELECT * FROM transfers WHERE id = p_id;
END $$;
