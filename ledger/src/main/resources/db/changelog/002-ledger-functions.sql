--liquibase formatted sql

-- Errors the rules raise carry SQLSTATE 'CF001' and the contract's code as their message; the
-- Java side maps them to LedgerException. Each function runs in its caller's transaction.
-- These changesets are applied history: a change to a function is a new CREATE OR REPLACE in a
-- later file, never an edit here (ChangelogHistoryTest holds their checksums).

--changeset coffer:002-entry-partitions splitStatements:false
-- Creates the monthly partitions of entries from the month of p_from for p_months months.
-- Serialised by an advisory lock, so every instance may call it.
CREATE OR REPLACE FUNCTION coffer_ensure_entry_partitions(p_from date, p_months int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  month_start date := date_trunc('month', p_from)::date;
  created int := 0;
  part text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('coffer_entry_partitions'));
  FOR i IN 0 .. p_months - 1 LOOP
    part := format('entries_%s', to_char(month_start + make_interval(months => i), 'YYYY_MM'));
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF entries FOR VALUES FROM (%L) TO (%L)', part,
        (month_start + make_interval(months => i)) AT TIME ZONE 'UTC',
        (month_start + make_interval(months => i + 1)) AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

--changeset coffer:002-initial-partitions runAlways:true
SELECT coffer_ensure_entry_partitions((now() AT TIME ZONE 'UTC')::date, 3);

--changeset coffer:002-append-entry splitStatements:false
-- Appends one entry to a locked account, numbering it with the account's next seq.
CREATE OR REPLACE FUNCTION coffer_append_entry(
  p_account uuid, p_transfer uuid, p_kind text, p_amount bigint, p_balance_delta bigint,
  p_pending_debit_delta bigint, p_pending_credit_delta bigint, p_counterparty uuid,
  p_status text, p_description text, p_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
  new_balance bigint;
BEGIN
  UPDATE accounts
     SET balance = balance + p_balance_delta,
         pending_debits = pending_debits + p_pending_debit_delta,
         pending_credits = pending_credits + p_pending_credit_delta,
         last_seq = last_seq + 1
   WHERE id = p_account
  RETURNING last_seq, balance INTO next_seq, new_balance;
  INSERT INTO entries (account_id, seq, transfer_id, kind, amount, balance_after,
                       counterparty_account_id, status, description, created_at)
  VALUES (p_account, next_seq, p_transfer, p_kind, p_amount, new_balance,
          p_counterparty, p_status, p_description, p_at);
END $$;

--changeset coffer:002-settlement splitStatements:false
-- The settlement shard that serves p_account (created on first use), for deposits and withdrawals.
CREATE OR REPLACE FUNCTION coffer_settlement_for(p_account uuid)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  cur char(3);
  shard smallint := abs(hashtext(p_account::text)) % 8;
  found uuid;
BEGIN
  SELECT currency INTO cur FROM accounts WHERE id = p_account;
  IF cur IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  SELECT id INTO found FROM accounts
   WHERE kind = 'settlement' AND currency = cur AND settlement_shard = shard;
  IF found IS NULL THEN
    INSERT INTO accounts (id, kind, name, currency, settlement_shard)
    VALUES (gen_random_uuid(), 'settlement', 'settlement ' || cur, cur, shard)
    ON CONFLICT DO NOTHING;
    SELECT id INTO found FROM accounts
     WHERE kind = 'settlement' AND currency = cur AND settlement_shard = shard;
  END IF;
  RETURN found;
END $$;

--changeset coffer:002-move splitStatements:false
-- Creates a transfer (posted, or pending for p_pending_seconds) and its entries, in one call.
-- p_owner must own the debited account, except for deposits (the credited one). Expiry is
-- computed from the database's clock, the same one that checks it.
DROP FUNCTION IF EXISTS coffer_move(uuid, text, uuid, uuid, bigint, uuid, boolean, timestamptz, text);
CREATE OR REPLACE FUNCTION coffer_move(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  src accounts;
  dst accounts;
  at timestamptz := clock_timestamp();
  p_pending boolean := p_pending_seconds IS NOT NULL;
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
  -- One deterministic lock order (by id) for every write: no deadlock between two transfers.
  PERFORM 1 FROM accounts WHERE id IN (p_from, p_to) ORDER BY id FOR UPDATE;
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
                         description, created_at, posted_at, expires_at)
  VALUES (p_id, p_kind, p_from, p_to, p_amount, src.currency,
          CASE WHEN p_pending THEN 'pending' ELSE 'posted' END, p_description, at,
          CASE WHEN p_pending THEN NULL ELSE at END,
          CASE WHEN p_pending THEN at + make_interval(secs => p_pending_seconds) END);

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

--changeset coffer:002-settle splitStatements:false
-- Posts, voids or expires a pending transfer. p_owner (NULL for the expiry sweeper) must own the
-- debited account. Anything not pending any more is 'transfer-not-pending'.
CREATE OR REPLACE FUNCTION coffer_settle(p_id uuid, p_owner uuid, p_outcome text)
RETURNS SETOF transfers LANGUAGE plpgsql AS $$
DECLARE
  t transfers;
  src_owner uuid;
  at timestamptz := clock_timestamp();
  posted boolean := p_outcome = 'posted';
BEGIN
  -- The transfer row first, then its accounts by id: settles of one transfer queue here, and
  -- no other write waits on a transfer row while holding an account, so no cycle can form.
  SELECT * INTO t FROM transfers WHERE id = p_id FOR UPDATE;
  IF t.id IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  SELECT owner_id INTO src_owner FROM accounts WHERE id = t.from_account_id;
  IF p_owner IS NOT NULL AND src_owner IS DISTINCT FROM p_owner THEN
    -- The credited side may see the transfer but not settle it.
    IF EXISTS (SELECT 1 FROM accounts WHERE id = t.to_account_id AND owner_id = p_owner) THEN
      RAISE EXCEPTION 'transfer-not-pending' USING ERRCODE = 'CF001';
    END IF;
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  IF t.status <> 'pending' OR (posted AND t.expires_at <= at) THEN
    RAISE EXCEPTION 'transfer-not-pending' USING ERRCODE = 'CF001';
  END IF;
  PERFORM 1 FROM accounts WHERE id IN (t.from_account_id, t.to_account_id) ORDER BY id FOR UPDATE;

  UPDATE transfers SET status = p_outcome, posted_at = CASE WHEN posted THEN at END
   WHERE id = p_id;
  PERFORM coffer_append_entry(t.from_account_id, t.id, t.kind, -t.amount,
                              CASE WHEN posted THEN -t.amount ELSE 0 END, -t.amount, 0,
                              t.to_account_id, p_outcome, t.description, at);
  PERFORM coffer_append_entry(t.to_account_id, t.id, t.kind, t.amount,
                              CASE WHEN posted THEN t.amount ELSE 0 END, 0, -t.amount,
                              t.from_account_id, p_outcome, t.description, at);
  RETURN QUERY SELECT * FROM transfers WHERE id = p_id;
END $$;
