--liquibase formatted sql

--changeset coffer:function-coffer_book_apply runOnChange:true splitStatements:false
-- The form before effective time and transactions (issue 29): the one below answers its calls.
DROP FUNCTION IF EXISTS coffer_book_apply(uuid, text, uuid, uuid, bigint, text, timestamptz, int,
                                          text, jsonb, uuid);
-- Writes a move that coffer_book_check accepted, with the accounts, currency and time it gave:
-- the transfer, its entries (through coffer_append_pair) and, when pending, the reservations.
-- p_effective_at: when a back-dated move counts (never after its booking: the later is cut to
-- it); p_transaction: the transaction the move is a leg of.
CREATE OR REPLACE FUNCTION coffer_book_apply(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_currency text,
  p_at timestamptz, p_pending_seconds int, p_description text, p_metadata jsonb,
  p_reversal_of uuid, p_effective_at timestamptz DEFAULT NULL, p_transaction uuid DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  p_pending boolean := p_pending_seconds IS NOT NULL;
  -- least() skips NULLs: a move that is not back-dated keeps NULL.
  effective timestamptz := CASE WHEN p_effective_at IS NOT NULL THEN least(p_effective_at, p_at) END;
BEGIN
  INSERT INTO transfers (id, kind, from_account_id, to_account_id, amount, currency, status,
                         description, created_at, posted_at, expires_at, metadata, reversal_of,
                         effective_at, transaction_id)
  VALUES (p_id, p_kind, p_from, p_to, p_amount, p_currency,
          CASE WHEN p_pending THEN 'pending' ELSE 'posted' END, p_description, p_at,
          CASE WHEN p_pending THEN NULL ELSE p_at END,
          CASE WHEN p_pending THEN p_at + make_interval(secs => p_pending_seconds) END,
          p_metadata, p_reversal_of, effective, p_transaction);
  IF p_pending THEN
    PERFORM coffer_append_pair(p_id, p_kind, p_from, p_to, p_amount, ARRAY[0, p_amount, 0],
                               ARRAY[0, 0, p_amount], 'pending', p_description, p_at);
  ELSE
    PERFORM coffer_append_pair(p_id, p_kind, p_from, p_to, p_amount, ARRAY[-p_amount, 0, 0],
                               ARRAY[p_amount, 0, 0], 'posted', p_description, p_at, effective);
  END IF;
END $$;
