--liquibase formatted sql

--changeset coffer:function-coffer_expire_due_accounts runOnChange:true splitStatements:false
-- Expires up to p_limit due transfers (as coffer_expire_due), answering which accounts the batch
-- touched (so the service announces them on the stream's bus as it does a client's write) and, in
-- milliseconds, when the next pending transfer falls due (so the sweeper wakes then, not at its
-- next tick).
CREATE OR REPLACE FUNCTION coffer_expire_due_accounts(p_limit int)
RETURNS TABLE(expired int, accounts uuid[], next_due_ms bigint) LANGUAGE plpgsql AS $$
DECLARE
  due uuid[];
  touched uuid[];
  t_id uuid;
BEGIN
  SELECT array_agg(d.id) INTO due FROM (
    SELECT id FROM transfers
     WHERE status = 'pending' AND expires_at <= clock_timestamp()
     ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED) d;
  IF due IS NOT NULL THEN
    -- The batch's accounts locked in id order, the order every write uses.
    SELECT array_agg(l.id) INTO touched FROM (
      SELECT a.id FROM accounts a
       WHERE a.id IN (SELECT from_account_id FROM transfers WHERE transfers.id = ANY(due)
                      UNION SELECT to_account_id FROM transfers WHERE transfers.id = ANY(due))
       ORDER BY a.id FOR UPDATE) l;
    FOREACH t_id IN ARRAY due LOOP
      PERFORM coffer_settle(t_id, NULL, 'expired');
    END LOOP;
  END IF;
  RETURN QUERY SELECT coalesce(cardinality(due), 0), coalesce(touched, ARRAY[]::uuid[]),
    (SELECT ceil(extract(epoch FROM min(t.expires_at) - clock_timestamp()) * 1000)::bigint
       FROM transfers t WHERE t.status = 'pending');
END $$;
