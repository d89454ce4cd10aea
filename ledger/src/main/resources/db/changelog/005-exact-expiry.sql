--liquibase formatted sql

-- Expiry is exact whatever the sweeper's backlog: a pending transfer past its expires_at holds
-- nothing, for moves (coffer_move), for reads (the services' queries subtract what is due) and for
-- settles (coffer_settle already refused them). The sweeper only writes down what is already so.

--changeset coffer:005-pending-debits-by-account runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_pending_debits
  ON transfers (from_account_id, expires_at) WHERE status = 'pending';

--changeset coffer:005-pending-credits-by-account runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_pending_credits
  ON transfers (to_account_id, expires_at) WHERE status = 'pending';

--changeset coffer:005-due-reservations splitStatements:false
-- What an account's pending debits (credits) past their expiry at p_at still hold: reads
-- subtract it.
CREATE OR REPLACE FUNCTION coffer_due_debits(p_account uuid, p_at timestamptz)
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(amount), 0)::bigint FROM transfers
   WHERE from_account_id = p_account AND status = 'pending' AND expires_at <= p_at
$$;
CREATE OR REPLACE FUNCTION coffer_due_credits(p_account uuid, p_at timestamptz)
RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT coalesce(sum(amount), 0)::bigint FROM transfers
   WHERE to_account_id = p_account AND status = 'pending' AND expires_at <= p_at
$$;

--changeset coffer:005-move-exact-expiry splitStatements:false
-- coffer_move as in 002, but the debited account's reservations past their expiry are expired
-- before its funds are checked.
CREATE OR REPLACE FUNCTION coffer_move(
  p_id uuid, p_kind text, p_from uuid, p_to uuid, p_amount bigint, p_owner uuid,
  p_pending_seconds int, p_description text)
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
  -- Reservations of p_from past their expiry hold nothing, whether or not the sweeper has come
  -- by: they are written down here first. Their credited accounts join this move's locks, all
  -- still taken in one order (by id), so no deadlock with another move or a sweeper. One that
  -- another transaction is settling right now (SKIP LOCKED) is left to it.
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

--changeset coffer:005-expire-batch splitStatements:false
-- Expires up to p_limit due transfers in one transaction. SKIP LOCKED: several sweepers (one per
-- instance) take disjoint batches instead of queueing on the same rows, and a transfer a client
-- is settling right now is left to that settle. The batch's accounts are locked in id order
-- first, the order every write uses, so no sweeper deadlocks with a move or another sweeper.
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
