--liquibase formatted sql

-- Reversals (refunds) and metadata. A reversal is a new transfer, in the opposite direction,
-- linked to the original (reversal_of); the original counts what has been reversed of it
-- (reversed_amount), which never exceeds its amount. Metadata (string keys to string values) is
-- stored with the transfer; entries show it by joining their transfer (a page is at most 200
-- primary-key probes), so the journal, the largest table, does not copy it.

--changeset coffer:008-transfer-columns
-- Nullable, or with a constant default: adding them rewrites nothing.
ALTER TABLE transfers ADD COLUMN reversal_of uuid REFERENCES transfers (id);
ALTER TABLE transfers ADD COLUMN reversed_amount bigint NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN metadata jsonb;
-- NOT VALID: every existing row has reversed_amount 0; new and updated rows are checked.
ALTER TABLE transfers ADD CONSTRAINT transfers_reversed_within_amount
  CHECK (reversed_amount BETWEEN 0 AND amount) NOT VALID;

--changeset coffer:008-book splitStatements:false
-- coffer_move as in 005, plus the transfer's metadata and, for a reversal, the transfer it
-- reverses: both written by the INSERT itself, so that triggers on transfers see them.
CREATE OR REPLACE FUNCTION coffer_book(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text, p_metadata jsonb, p_reversal_of uuid)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  src accounts;
  dst accounts;
  at timestamptz := clock_timestamp();
  p_pending boolean := p_pending_seconds IS NOT NULL;
  due_ids uuid[];
  due_to uuid[];
  due_id uuid;
BEGIN
  -- Deposits come from, and withdrawals go to, the settlement account (NULL here).
  IF p_kind = 'deposit' THEN
    p_from := coffer_settlement_for(p_to);
  ELSIF p_kind = 'withdrawal' THEN
    p_to := coffer_settlement_for(p_from);
  END IF;
  IF p_from = p_to THEN
    RAISE EXCEPTION 'same-account' USING ERRCODE = 'CF001';
  END IF;
  -- Reservations of p_from past their expiry hold nothing (see 005).
  IF p_kind <> 'deposit' THEN
    SELECT array_agg(id), array_agg(to_account_id) INTO due_ids, due_to FROM transfers
     WHERE from_account_id = p_from AND status = 'pending' AND expires_at <= at;
  END IF;
  -- One deterministic lock order (by id) for every write: no deadlock between two transfers.
  PERFORM 1 FROM accounts
   WHERE id = ANY(ARRAY[p_from, p_to] || coalesce(due_to, '{}'::uuid[])) ORDER BY id FOR UPDATE;
  IF due_ids IS NOT NULL THEN
    FOR due_id IN SELECT id FROM transfers WHERE id = ANY(due_ids) AND status = 'pending'
                  FOR UPDATE SKIP LOCKED LOOP
      PERFORM coffer_settle(due_id, NULL, 'expired');
    END LOOP;
  END IF;
  SELECT * INTO src FROM accounts WHERE id = p_from;
  SELECT * INTO dst FROM accounts WHERE id = p_to;
  IF src.id IS NULL OR dst.id IS NULL
     OR (p_kind = 'deposit' AND dst.owner_id IS DISTINCT FROM p_owner)
     OR (p_kind <> 'deposit' AND src.owner_id IS DISTINCT FROM p_owner)
     -- Only deposits and withdrawals reach the settlement account, whose id entries show.
     OR (p_kind = 'transfer' AND dst.kind <> 'user') THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF src.currency <> dst.currency THEN
    RAISE EXCEPTION 'currency-mismatch' USING ERRCODE = 'CF001';
  END IF;
  -- Spendable money counts reserved (pending) debits: available = balance - pending + overdraft.
  IF src.kind <> 'settlement'
     AND src.balance - src.pending_debits + src.overdraft_limit < p_amount THEN
    RAISE EXCEPTION 'insufficient-funds' USING ERRCODE = 'CF001';
  END IF;

  INSERT INTO transfers (id, kind, from_account_id, to_account_id, amount, currency, status,
                         description, created_at, posted_at, expires_at, metadata, reversal_of)
  VALUES (p_id, p_kind, p_from, p_to, p_amount, src.currency,
          CASE WHEN p_pending THEN 'pending' ELSE 'posted' END, p_description, at,
          CASE WHEN p_pending THEN NULL ELSE at END,
          CASE WHEN p_pending THEN at + make_interval(secs => p_pending_seconds) END,
          p_metadata, p_reversal_of);

  IF p_pending THEN
    PERFORM coffer_append_entry(p_from, p_id, p_kind, -p_amount, 0, p_amount, 0, p_to,
                                'pending', p_description, at);
    PERFORM coffer_append_entry(p_to, p_id, p_kind, p_amount, 0, 0, p_amount, p_from,
                                'pending', p_description, at);
  ELSE
    PERFORM coffer_append_entry(p_from, p_id, p_kind, -p_amount, -p_amount, 0, 0, p_to,
                                'posted', p_description, at);
    PERFORM coffer_append_entry(p_to, p_id, p_kind, p_amount, p_amount, 0, 0, p_from,
                                'posted', p_description, at);
  END IF;
  RETURN QUERY SELECT * FROM transfers WHERE id = p_id;
END $$;

--changeset coffer:008-move-books splitStatements:false
-- The previous release's entry point (an instance still running it during a rolling upgrade
-- calls it) now books through coffer_book: one copy of the rules.
CREATE OR REPLACE FUNCTION coffer_move(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text)
RETURNS SETOF transfers LANGUAGE sql AS $$
  SELECT * FROM coffer_book(p_id, p_kind, p_from, p_to, p_amount, p_owner, p_pending_seconds,
                            p_description, NULL, NULL)
$$;

--changeset coffer:008-reverse splitStatements:false
-- Reverses (refunds) p_amount of a posted transfer (NULL: all that is left of it), as a new
-- posted transfer p_id from its credited account back to its debited one. Only the credited
-- account's owner may: the payee refunds, the payer cannot claw back. Refusals:
-- not-found (a stranger, or no such transfer); transfer-not-reversible with its reason:
-- not-destination-owner (the payer), not-reversible-kind (a deposit, a withdrawal, or itself a
-- reversal), not-posted (pending, voided or expired); reversal-exceeds-transfer (more than is
-- left); and insufficient-funds as any transfer.
-- The original's row lock is taken first, then the accounts by id (as a settle does): two
-- reversals of one transfer queue on it, so together they never exceed the original.
CREATE OR REPLACE FUNCTION coffer_reverse(
  p_id uuid, p_original uuid, p_owner uuid, p_amount bigint, p_description text,
  p_metadata jsonb)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  t transfers;
  payee_owner uuid;
  payer_owner uuid;
  left_to_reverse bigint;
  v_amount bigint;
BEGIN
  SELECT * INTO t FROM transfers WHERE id = p_original FOR UPDATE;
  IF t.id IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  SELECT owner_id INTO payee_owner FROM accounts WHERE id = t.to_account_id;
  SELECT owner_id INTO payer_owner FROM accounts WHERE id = t.from_account_id;
  IF payee_owner IS DISTINCT FROM p_owner THEN
    IF payer_owner IS NOT DISTINCT FROM p_owner THEN
      RAISE EXCEPTION 'transfer-not-reversible' USING ERRCODE = 'CF001',
        DETAIL = 'not-destination-owner';
    END IF;
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF t.kind <> 'transfer' OR t.reversal_of IS NOT NULL THEN
    RAISE EXCEPTION 'transfer-not-reversible' USING ERRCODE = 'CF001',
      DETAIL = 'not-reversible-kind';
  END IF;
  IF t.status <> 'posted' THEN
    RAISE EXCEPTION 'transfer-not-reversible' USING ERRCODE = 'CF001', DETAIL = 'not-posted';
  END IF;
  left_to_reverse := t.amount - t.reversed_amount;
  v_amount := coalesce(p_amount, left_to_reverse);
  IF v_amount < 1 OR v_amount > left_to_reverse THEN
    RAISE EXCEPTION 'reversal-exceeds-transfer' USING ERRCODE = 'CF001';
  END IF;
  UPDATE transfers SET reversed_amount = reversed_amount + v_amount WHERE id = t.id;
  RETURN QUERY SELECT * FROM coffer_book(p_id, 'transfer', t.to_account_id, t.from_account_id,
                                         v_amount, p_owner, NULL, p_description, p_metadata, t.id);
END $$;
