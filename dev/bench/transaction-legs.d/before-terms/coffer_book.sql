
-- Books one move: coffer_book_check takes the locks and checks the rules, coffer_book_apply writes
-- it; a refusal is raised as an error of class CF001 naming it.
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
