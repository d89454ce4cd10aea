--liquibase formatted sql

--changeset coffer:function-coffer_settle runOnChange:true splitStatements:false
-- The three-argument form of earlier releases: the five-argument one below answers those calls
-- (its last two have defaults), so an instance of the previous release keeps working.
DROP FUNCTION IF EXISTS coffer_settle(uuid, uuid, text);
-- Posts (captures) or voids (or, for the sweeper, expires) a pending transfer.
-- A capture moves p_amount (NULL: all that is left of the hold), at most what is left
-- (capture-exceeds-hold). p_final (the default) ends the hold: what is left after the capture is
-- released in the same transaction and the transfer is posted; with p_final false the rest stays
-- held until a later capture, a void or its expiry, and the transfer stays pending. A void or an
-- expiry releases what is left; captures made before it stand (captured_amount). Each capture and
-- each release is a pair of entries of its own, so the journal shows both.
-- A caller on neither side gets not-found first, learning nothing; a settle refused for two
-- reasons names the transfer's state (already-posted, already-voided, expired) before
-- not-source-owner: the state is the lasting fact (no one can settle it any more), and the
-- credited side sees that state anyway.
CREATE OR REPLACE FUNCTION coffer_settle(p_id uuid, p_owner uuid, p_outcome text,
                                         p_amount bigint DEFAULT NULL, p_final boolean DEFAULT true)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  t transfers;
  src_owner uuid;
  at timestamptz := clock_timestamp();
  posted boolean := p_outcome = 'posted';
  held bigint;
  capture bigint := 0;
  released bigint := 0;
  ends boolean := true;
BEGIN
  -- The transfer row first, then its accounts by id: settles of one transfer queue here, and
  -- no other write waits on a transfer row while holding an account, so no cycle can form.
  SELECT * INTO t FROM transfers WHERE id = p_id FOR UPDATE;
  IF t.id IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  SELECT owner_id INTO src_owner FROM accounts WHERE id = t.from_account_id;
  IF p_owner IS NOT NULL AND src_owner IS DISTINCT FROM p_owner
     AND NOT EXISTS (SELECT 1 FROM accounts WHERE id = t.to_account_id AND owner_id = p_owner) THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF t.status = 'posted' THEN
    RAISE EXCEPTION 'transfer-not-pending' USING ERRCODE = 'CF001', DETAIL = 'already-posted';
  ELSIF t.status = 'voided' THEN
    RAISE EXCEPTION 'transfer-not-pending' USING ERRCODE = 'CF001', DETAIL = 'already-voided';
  ELSIF t.status = 'expired' OR (p_outcome <> 'expired' AND t.expires_at <= at) THEN
    -- Past its expiry a transfer is expired, whether or not the sweeper has come by: neither
    -- posted nor voided by a client (the sweeper releases its reservation).
    RAISE EXCEPTION 'transfer-not-pending' USING ERRCODE = 'CF001', DETAIL = 'expired';
  END IF;
  IF p_owner IS NOT NULL AND src_owner IS DISTINCT FROM p_owner THEN
    -- The credited side: it sees a pending transfer, but only the debited side settles it.
    RAISE EXCEPTION 'transfer-not-pending' USING ERRCODE = 'CF001', DETAIL = 'not-source-owner';
  END IF;
  held := t.amount - coalesce(t.captured_amount, 0);
  IF posted THEN
    capture := coalesce(p_amount, held);
    IF capture < 1 OR capture > held THEN
      RAISE EXCEPTION 'capture-exceeds-hold' USING ERRCODE = 'CF001';
    END IF;
    ends := p_final OR capture = held;
    released := CASE WHEN ends THEN held - capture ELSE 0 END;
  ELSE
    released := held;
  END IF;
  PERFORM 1 FROM accounts WHERE id IN (t.from_account_id, t.to_account_id) ORDER BY id FOR UPDATE;

  -- captured_amount stays NULL for a hold posted whole at once (its amount is what moved).
  UPDATE transfers
     SET status = CASE WHEN ends THEN p_outcome ELSE status END,
         posted_at = CASE WHEN ends AND posted THEN at END,
         captured_amount = CASE WHEN capture = t.amount THEN captured_amount
                                WHEN capture > 0 OR captured_amount IS NOT NULL
                                THEN coalesce(captured_amount, 0) + capture END
   WHERE id = p_id;
  IF capture > 0 THEN
    PERFORM coffer_append_entry(t.from_account_id, t.id, t.kind, -capture, -capture, -capture, 0,
                                t.to_account_id, 'posted', t.description, at);
    PERFORM coffer_append_entry(t.to_account_id, t.id, t.kind, capture, capture, 0, -capture,
                                t.from_account_id, 'posted', t.description, at);
  END IF;
  IF released > 0 THEN
    PERFORM coffer_append_entry(t.from_account_id, t.id, t.kind, -released, 0, -released, 0,
                                t.to_account_id, CASE WHEN posted THEN 'voided' ELSE p_outcome END,
                                t.description, at);
    PERFORM coffer_append_entry(t.to_account_id, t.id, t.kind, released, 0, 0, -released,
                                t.from_account_id, CASE WHEN posted THEN 'voided' ELSE p_outcome END,
                                t.description, at);
  END IF;
  RETURN QUERY SELECT * FROM transfers WHERE id = p_id;
END $$;
