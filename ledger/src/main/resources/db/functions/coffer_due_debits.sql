--liquibase formatted sql

--changeset coffer:function-coffer_due_debits runOnChange:true splitStatements:false
-- Reservations past their expiry that the sweeper has not settled yet (debits here, credits in
-- coffer_due_credits), so that reads and funds checks treat them as released: what is left of
-- each hold, its captures taken off. PL/pgSQL, not SQL:
-- a non-inlined SQL function plans its query again at every call (before PostgreSQL 18), about
-- 2 ms against transfers and its indexes; PL/pgSQL keeps the plan for the session.
CREATE OR REPLACE FUNCTION coffer_due_debits(p_account uuid, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT coalesce(sum(amount - coalesce(captured_amount, 0)), 0)::bigint FROM transfers
           WHERE from_account_id = p_account AND status = 'pending' AND expires_at <= p_at);
END $$;
