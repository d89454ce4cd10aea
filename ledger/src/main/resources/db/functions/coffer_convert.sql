--liquibase formatted sql

--changeset coffer:function-coffer_convert runOnChange:true splitStatements:false
-- Converts p_amount of p_from's currency into p_to's at p_rate (units of p_to's currency per unit
-- of p_from's, minor units to minor units), both accounts the caller's: one transaction of two
-- legs, a withdrawal of p_amount from p_from into its currency's liquidity account and a deposit
-- of floor(p_amount * p_rate) into p_to out of the other's. Rounding is always down, so a
-- conversion never makes money; what is cut off (less than one minor unit) is recorded with the
-- rate and both amounts on the transaction. Each currency stays balanced on its own.
-- Locks: both accounts, both liquidity accounts and the payees of p_from's overdue holds, once,
-- in id order (as every write); p_from's overdue holds are settled first, as a move's are.
-- Refusals (CF001): not-found (either account not the caller's), same-account, currency-mismatch
-- (the two currencies are the same: that is a transfer), validation (the result rounds to
-- nothing), account-closed, insufficient-funds. transaction.created goes to the caller.
CREATE OR REPLACE FUNCTION coffer_convert(
  p_id uuid, p_owner uuid, p_leg_ids uuid[], p_from uuid, p_to uuid, p_amount bigint,
  p_rate numeric, p_description text, p_metadata jsonb)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  at timestamptz := clock_timestamp();
  src accounts;
  dst accounts;
  sold uuid;
  bought uuid;
  exact numeric;
  converted bigint;
  due_ids uuid[];
  due_to uuid[];
  detail jsonb;
  data jsonb;
  leg_description text;
BEGIN
  SELECT * INTO src FROM accounts WHERE id = p_from AND owner_id = p_owner AND kind = 'user';
  SELECT * INTO dst FROM accounts WHERE id = p_to AND owner_id = p_owner AND kind = 'user';
  IF src.id IS NULL OR dst.id IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF p_from = p_to THEN
    RAISE EXCEPTION 'same-account' USING ERRCODE = 'CF001';
  END IF;
  IF src.currency = dst.currency THEN
    RAISE EXCEPTION 'currency-mismatch' USING ERRCODE = 'CF001',
      DETAIL = 'a conversion is between two currencies';
  END IF;
  exact := p_amount * p_rate;
  converted := floor(exact);
  IF converted < 1 OR converted > 1000000000000000 THEN
    RAISE EXCEPTION 'validation' USING ERRCODE = 'CF001',
      DETAIL = 'the converted amount must be between 1 and 10^15 minor units';
  END IF;
  sold := coffer_liquidity_for(src.currency);
  bought := coffer_liquidity_for(dst.currency);
  SELECT array_agg(id), array_agg(to_account_id) INTO due_ids, due_to FROM transfers
   WHERE from_account_id = p_from AND status = 'pending' AND expires_at <= at;
  PERFORM 1 FROM accounts
   WHERE id = ANY(ARRAY[p_from, p_to, sold, bought] || coalesce(due_to, '{}'::uuid[]))
   ORDER BY id FOR UPDATE;
  IF due_ids IS NOT NULL THEN
    PERFORM coffer_settle_due(due_ids);
  END IF;
  SELECT * INTO src FROM accounts WHERE id = p_from;
  SELECT * INTO dst FROM accounts WHERE id = p_to;
  -- A closed account takes no moves, a conversion's either (read under the lock, as a move's).
  IF src.closed_at IS NOT NULL OR dst.closed_at IS NOT NULL THEN
    RAISE EXCEPTION 'account-closed' USING ERRCODE = 'CF001';
  END IF;
  IF src.balance - src.pending_debits + src.overdraft_limit < p_amount THEN
    RAISE EXCEPTION 'insufficient-funds' USING ERRCODE = 'CF001';
  END IF;
  detail := jsonb_build_object(
    'rate', p_rate::text,
    'fromCurrency', src.currency, 'fromAmount', p_amount,
    'toCurrency', dst.currency, 'toAmount', converted,
    'rounding', 'down',
    'roundedOff', (exact - converted)::text);
  INSERT INTO transactions (id, owner_id, description, metadata, legs, created_at, conversion)
  VALUES (p_id, p_owner, p_description, p_metadata, 2, at, detail);
  -- Each leg's entries read as what they are in a journal, a feed or an export, unless the
  -- caller described the conversion.
  leg_description := coalesce(p_description,
    'conversion ' || src.currency || ' to ' || dst.currency || ' at ' || p_rate::text);
  PERFORM coffer_book_apply(p_leg_ids[1], 'withdrawal', p_from, sold, p_amount, src.currency,
                            clock_timestamp(), NULL, leg_description, NULL, NULL, NULL, p_id);
  PERFORM coffer_book_apply(p_leg_ids[2], 'deposit', bought, p_to, converted, dst.currency,
                            clock_timestamp(), NULL, leg_description, NULL, NULL, NULL, p_id);
  data := jsonb_build_object(
    'id', p_id, 'description', p_description, 'metadata', coalesce(p_metadata, '{}'::jsonb),
    'createdAt', coffer_json_time(at), 'effectiveAt', NULL, 'conversion', detail,
    'legs', jsonb_build_array(
      jsonb_build_object('id', p_leg_ids[1], 'fromAccountId', p_from, 'toAccountId', NULL,
                         'amount', p_amount, 'currency', src.currency),
      jsonb_build_object('id', p_leg_ids[2], 'fromAccountId', NULL, 'toAccountId', p_to,
                         'amount', converted, 'currency', dst.currency)));
  PERFORM coffer_transaction_created(p_owner, p_id, data);
  RETURN QUERY SELECT t.* FROM unnest(p_leg_ids) WITH ORDINALITY u(id, n)
                 JOIN transfers t ON t.id = u.id ORDER BY u.n;
END $$;
