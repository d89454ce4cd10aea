--liquibase formatted sql

--changeset coffer:function-coffer_due_credits runOnChange:true splitStatements:false
-- Reservations credited to p_account that are past their expiry and not swept yet: see
-- coffer_due_debits.
CREATE OR REPLACE FUNCTION coffer_due_credits(p_account uuid, p_at timestamptz)
RETURNS bigint LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (SELECT coalesce(sum(amount - coalesce(captured_amount, 0)), 0)::bigint FROM transfers
           WHERE to_account_id = p_account AND status = 'pending' AND expires_at <= p_at);
END $$;
