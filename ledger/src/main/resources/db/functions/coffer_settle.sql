--liquibase formatted sql

--changeset coffer:function-coffer_settle runOnChange:true splitStatements:false
-- Posts or voids (or, for the sweeper, expires) a pending transfer. A caller on neither side gets
-- not-found first, learning nothing; a settle refused for two reasons names the transfer's state
-- (already-posted, already-voided, expired) before not-source-owner: the state is the lasting fact
-- (no one can settle it any more), and the credited side sees that state anyway.
CREATE OR REPLACE FUNCTION coffer_settle(p_id uuid, p_owner uuid, p_outcome text)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  t transfers;
  src_owner uuid;
  at timestamptz := clock_timestamp();
  posted boolean := p_outcome = 'posted';
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
  PERFORM 1 FROM accounts WHERE id IN (t.from_account_id, t.to_account_id) ORDER BY id FOR UPDATE;

  UPDATE transfers SET status = p_outcome, posted_at = CASE WHEN posted THEN at END
   WHERE id = p_id;
  PERFORM coffer_append_entry(t.from_account_id, t.id, t.kind, -t.amount,
                              CASE WHEN posted THEN -t.amount ELSE 0 END, -t.amount, 0,
                              t.to_account_id, p_outcome, t.description, at);
  PERFORM coffer_append_entry(t.to_account_id, t.id, t.kind, t.amount,
                              CASE WHEN posted THEN t.amount ELSE 0 END, 0, -t.amount,
                              t.from_account_id, p_outcome, t.description, at);
  RETURN QUERY SELECT * FROM transfers WHERE id = p_id;
END $$;
