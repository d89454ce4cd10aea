--liquibase formatted sql

--changeset coffer:function-coffer_reverse runOnChange:true splitStatements:false
-- Reverses (refunds) p_amount of what a transfer moved (NULL: all that is left of it), as a new
-- posted transfer p_id from its credited account back to its debited one. Only the credited
-- account's owner may: the payee refunds, the payer cannot claw back. Refusals:
-- not-found (a stranger, or no such transfer); transfer-not-reversible with its reason:
-- not-destination-owner (the payer), not-reversible-kind (a deposit, a withdrawal, or itself a
-- reversal), not-posted (nothing of it moved yet); reversal-exceeds-transfer (more than is
-- left); and insufficient-funds as any transfer.
-- The original's row lock is taken first, then the accounts by id (as a settle does): two
-- reversals of one transfer queue on it, so together they never exceed the original.
CREATE OR REPLACE FUNCTION coffer_reverse(
  p_id uuid, p_original uuid, p_owner uuid, p_amount bigint, p_description text,
  p_metadata jsonb)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  t transfers;
  payee_owner uuid;
  payer_owner uuid;
  left_to_reverse bigint;
  v_amount bigint;
BEGIN
  SELECT * INTO t FROM transfers WHERE id = p_original FOR UPDATE;
  IF t.id IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  SELECT owner_id INTO payee_owner FROM accounts WHERE id = t.to_account_id;
  SELECT owner_id INTO payer_owner FROM accounts WHERE id = t.from_account_id;
  IF payee_owner IS DISTINCT FROM p_owner THEN
    IF payer_owner IS NOT DISTINCT FROM p_owner THEN
      RAISE EXCEPTION 'transfer-not-reversible' USING ERRCODE = 'CF001',
        DETAIL = 'not-destination-owner';
    END IF;
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF t.kind <> 'transfer' OR t.reversal_of IS NOT NULL THEN
    RAISE EXCEPTION 'transfer-not-reversible' USING ERRCODE = 'CF001',
      DETAIL = 'not-reversible-kind';
  END IF;
  -- What moved can be reversed: a posted transfer's captured amount (its whole amount unless it
  -- was captured in parts), or the captures of a hold that was then voided or expired.
  IF t.status <> 'posted' AND coalesce(t.captured_amount, 0) = 0 THEN
    RAISE EXCEPTION 'transfer-not-reversible' USING ERRCODE = 'CF001', DETAIL = 'not-posted';
  END IF;
  left_to_reverse := coalesce(t.captured_amount, t.amount) - t.reversed_amount;
  v_amount := coalesce(p_amount, left_to_reverse);
  IF v_amount < 1 OR v_amount > left_to_reverse THEN
    RAISE EXCEPTION 'reversal-exceeds-transfer' USING ERRCODE = 'CF001';
  END IF;
  UPDATE transfers SET reversed_amount = reversed_amount + v_amount WHERE id = t.id;
  RETURN QUERY SELECT * FROM coffer_book(p_id, 'transfer', t.to_account_id, t.from_account_id,
                                         v_amount, p_owner, NULL, p_description, p_metadata, t.id);
END $$;
