--liquibase formatted sql

--changeset coffer:function-coffer_settle_due runOnChange:true splitStatements:false
-- Expires the holds p_ids that are still pending (a payer's holds past their expiry, found and
-- their payees locked by the caller, who holds the payer's lock): a hold another transaction is
-- settling right now is skipped, as that one settles it. Used by every move before it reads the
-- payer's available balance, so that an overdue hold never counts against it.
CREATE OR REPLACE FUNCTION coffer_settle_due(p_ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  due_id uuid;
BEGIN
  FOR due_id IN SELECT id FROM transfers WHERE id = ANY(p_ids) AND status = 'pending'
                FOR UPDATE SKIP LOCKED LOOP
    PERFORM coffer_settle(due_id, NULL, 'expired');
  END LOOP;
END $$;
