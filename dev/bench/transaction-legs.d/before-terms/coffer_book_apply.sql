
-- Writes a move that coffer_book_check accepted, with the accounts, currency and time it gave:
-- the transfer, its entries (through coffer_append_entry) and, when pending, the reservations.
CREATE OR REPLACE FUNCTION coffer_book_apply(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_currency text,
  p_at timestamptz, p_pending_seconds int, p_description text, p_metadata jsonb,
  p_reversal_of uuid)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  p_pending boolean := p_pending_seconds IS NOT NULL;
BEGIN
  INSERT INTO transfers (id, kind, from_account_id, to_account_id, amount, currency, status,
                         description, created_at, posted_at, expires_at, metadata, reversal_of)
  VALUES (p_id, p_kind, p_from, p_to, p_amount, p_currency,
          CASE WHEN p_pending THEN 'pending' ELSE 'posted' END, p_description, p_at,
          CASE WHEN p_pending THEN NULL ELSE p_at END,
          CASE WHEN p_pending THEN p_at + make_interval(secs => p_pending_seconds) END,
          p_metadata, p_reversal_of);
  IF p_pending THEN
    PERFORM coffer_append_entry(p_from, p_id, p_kind, -p_amount, 0, p_amount, 0, p_to,
                                'pending', p_description, p_at);
    PERFORM coffer_append_entry(p_to, p_id, p_kind, p_amount, 0, 0, p_amount, p_from,
                                'pending', p_description, p_at);
  ELSE
    PERFORM coffer_append_entry(p_from, p_id, p_kind, -p_amount, -p_amount, 0, 0, p_to,
                                'posted', p_description, p_at);
    PERFORM coffer_append_entry(p_to, p_id, p_kind, p_amount, p_amount, 0, 0, p_from,
                                'posted', p_description, p_at);
  END IF;
END $$;
