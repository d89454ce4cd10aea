--liquibase formatted sql

--changeset coffer:function-coffer_expire_due runOnChange:true splitStatements:false
-- Expires up to p_limit due transfers in one transaction. SKIP LOCKED: several sweepers (one per
-- instance) take disjoint batches instead of queueing on the same rows, and a transfer a client
-- is settling right now is left to that settle. The batch's accounts are locked in id order
-- first, the order every write uses, so no sweeper deadlocks with a move or another sweeper.
-- Kept for instances of an earlier release during a rolling upgrade; the sweeper now calls
-- coffer_expire_due_accounts.
CREATE OR REPLACE FUNCTION coffer_expire_due(p_limit int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  due uuid[];
  t_id uuid;
BEGIN
  SELECT array_agg(d.id) INTO due FROM (
    SELECT id FROM transfers
     WHERE status = 'pending' AND expires_at <= clock_timestamp()
     ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED) d;
  IF due IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM 1 FROM accounts a
   WHERE a.id IN (SELECT from_account_id FROM transfers WHERE transfers.id = ANY(due)
                  UNION SELECT to_account_id FROM transfers WHERE transfers.id = ANY(due))
   ORDER BY a.id FOR UPDATE;
  FOREACH t_id IN ARRAY due LOOP
    PERFORM coffer_settle(t_id, NULL, 'expired');
  END LOOP;
  RETURN cardinality(due);
END $$;
