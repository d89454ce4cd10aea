--liquibase formatted sql

--changeset coffer:function-coffer_move runOnChange:true splitStatements:false
-- The entry point of an earlier release (an instance still running it during a rolling upgrade
-- calls it): it books through coffer_book, one copy of the rules.
CREATE OR REPLACE FUNCTION coffer_move(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text)
RETURNS SETOF transfers LANGUAGE sql AS $$
  SELECT * FROM coffer_book(p_id, p_kind, p_from, p_to, p_amount, p_owner, p_pending_seconds,
                            p_description, NULL, NULL)
$$;
