--liquibase formatted sql

--changeset coffer:function-coffer_book_transaction runOnChange:true splitStatements:false
-- Books a transaction: 2 to 100 legs under one id, all or none. Every account the legs name (and
-- the payees of their payers' overdue reservations) is locked once, in id order, as a group is;
-- then each leg is checked and booked in order by the same rules as a transfer (so a later leg
-- sees what the earlier ones moved: one account may pay in several legs). A refused leg raises
-- (class CF001, the leg as the detail, "legs[i]"), which undoes the whole transaction; so does
-- a version that does not match or a condition the legs' combined result breaks (checked once,
-- on what all the legs leave). p_terms as coffer_book_check's, less balancing; its "versions"
-- and "require" name accounts of the legs that are the caller's (else not-found).
-- transaction.created goes to the caller; each leg also announces itself as a transfer.
CREATE OR REPLACE FUNCTION coffer_book_transaction(
  p_id uuid, p_owner uuid, p_leg_ids uuid[], p_froms uuid[], p_tos uuid[], p_amounts bigint[],
  p_descriptions text[], p_leg_metadata jsonb[], p_description text, p_metadata jsonb,
  p_terms jsonb)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  n int := cardinality(p_leg_ids);
  i int;
  checked record;
  at timestamptz := clock_timestamp();
  -- least() skips NULLs: a transaction that is not back-dated keeps NULL.
  effective timestamptz := CASE WHEN p_terms->>'effectiveAt' IS NOT NULL
                           THEN least((p_terms->>'effectiveAt')::timestamptz, at) END;
  term_key text;
  term_value jsonb;
  seen_version bigint;
  term_index int;
  seen accounts;
  measured bigint;
  data jsonb;
BEGIN
  PERFORM coffer_lock_group(array_fill('transfer'::text, ARRAY[n]), p_froms, p_tos);
  IF p_terms IS NOT NULL AND p_terms->'versions' IS NOT NULL THEN
    FOR term_key, seen_version IN SELECT key, value::bigint FROM jsonb_each_text(p_terms->'versions') LOOP
      SELECT * INTO seen FROM accounts
       WHERE id = term_key::uuid AND owner_id = p_owner
         AND (id = ANY(p_froms) OR id = ANY(p_tos));
      IF NOT FOUND THEN
        RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
      END IF;
      IF seen.last_seq <> seen_version THEN
        RAISE EXCEPTION 'version-mismatch' USING ERRCODE = 'CF001', DETAIL = term_key;
      END IF;
    END LOOP;
  END IF;
  INSERT INTO transactions (id, owner_id, description, metadata, legs, created_at, effective_at)
  VALUES (p_id, p_owner, p_description, p_metadata, n, at, effective);
  FOR i IN 1 .. n LOOP
    SELECT * INTO checked
      FROM coffer_book_check('transfer', p_froms[i], p_tos[i], p_amounts[i], p_owner);
    IF checked.refusal IS NOT NULL THEN
      RAISE EXCEPTION '%', checked.refusal USING ERRCODE = 'CF001', DETAIL = 'legs[' || i - 1 || ']';
    END IF;
    PERFORM coffer_book_apply(p_leg_ids[i], 'transfer', checked.from_id, checked.to_id,
                              p_amounts[i], checked.currency, checked.at, NULL, p_descriptions[i],
                              p_leg_metadata[i], NULL, effective, p_id);
  END LOOP;
  IF p_terms IS NOT NULL AND p_terms->'require' IS NOT NULL THEN
    FOR term_index IN 0 .. jsonb_array_length(p_terms->'require') - 1 LOOP
      term_value := p_terms->'require'->term_index;
      SELECT * INTO seen FROM accounts
       WHERE id = (term_value->>'account')::uuid AND owner_id = p_owner
         AND (id = ANY(p_froms) OR id = ANY(p_tos));
      IF NOT FOUND THEN
        RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
      END IF;
      measured := CASE term_value->>'measure'
                    WHEN 'balance' THEN seen.balance
                    ELSE seen.balance - seen.pending_debits + seen.overdraft_limit END;
      IF (term_value->>'op' = 'gte' AND measured < (term_value->>'value')::bigint)
         OR (term_value->>'op' = 'lte' AND measured > (term_value->>'value')::bigint) THEN
        RAISE EXCEPTION 'condition-failed' USING ERRCODE = 'CF001',
          DETAIL = 'require[' || term_index || ']';
      END IF;
    END LOOP;
  END IF;
  data := jsonb_build_object(
    'id', p_id,
    'description', p_description,
    'metadata', coalesce(p_metadata, '{}'::jsonb),
    'createdAt', coffer_json_time(at),
    'effectiveAt', coffer_json_time(effective),
    'legs', (SELECT jsonb_agg(jsonb_build_object(
                      'id', t.id, 'fromAccountId', t.from_account_id,
                      'toAccountId', t.to_account_id, 'amount', t.amount,
                      'currency', t.currency) ORDER BY u.n)
               FROM unnest(p_leg_ids) WITH ORDINALITY u(id, n) JOIN transfers t ON t.id = u.id));
  PERFORM coffer_transaction_created(p_owner, p_id, data);
  RETURN QUERY SELECT t.* FROM unnest(p_leg_ids) WITH ORDINALITY u(id, n)
                 JOIN transfers t ON t.id = u.id ORDER BY u.n;
END $$;
