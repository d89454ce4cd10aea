--liquibase formatted sql

--changeset coffer:012-due-reservations-plan-once splitStatements:false
-- The same sums as in 005, in PL/pgSQL: a non-inlined SQL function plans its query again at every
-- call (before PostgreSQL 18), which made every account read and funds check plan two queries
-- against transfers and its many indexes (about 2 ms each on the bench stack); PL/pgSQL keeps the
-- plan for the session.
CREATE OR REPLACE FUNCTION coffer_due_debits(p_account uuid, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT coalesce(sum(amount), 0)::bigint FROM transfers
           WHERE from_account_id = p_account AND status = 'pending' AND expires_at <= p_at);
END $$;
CREATE OR REPLACE FUNCTION coffer_due_credits(p_account uuid, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT coalesce(sum(amount), 0)::bigint FROM transfers
           WHERE to_account_id = p_account AND status = 'pending' AND expires_at <= p_at);
END $$;
