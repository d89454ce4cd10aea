--liquibase formatted sql

-- Balance at a point in time, answered from the journal by one index probe per monthly partition,
-- whatever the account's size. Each entry now carries the account's whole state after it (balance,
-- pending debits, pending credits) and the time it was booked at.
--
-- "As of T" means: after the last entry booked at or before T. An entry's created_at is its
-- transfer's time, taken before the account's lock is granted, so a transfer that waited for the
-- lock can be numbered after one that started later: created_at is not monotonic in seq. booked_at
-- is: it is the greater of created_at and the account's previous booked_at, kept on the account
-- (last_booked_at) under the same row lock that numbers the entry. So the entries booked at or
-- before T are always a prefix of the journal (seq 1..n), and its last one is found by a descending
-- index scan on (account_id, booked_at, seq) that stops at its first row.

--changeset coffer:007-entry-state-columns
-- Nullable and without a default: adding them rewrites nothing. Old rows are filled below.
ALTER TABLE accounts ADD COLUMN last_booked_at timestamptz;
ALTER TABLE entries ADD COLUMN pending_debits_after bigint;
ALTER TABLE entries ADD COLUMN pending_credits_after bigint;
ALTER TABLE entries ADD COLUMN booked_at timestamptz;

--changeset coffer:007-append-entry-state splitStatements:false
-- coffer_append_entry as in 002, but the entry records the account's pending amounts after it
-- and its booking time (monotonic per account, see above).
CREATE OR REPLACE FUNCTION coffer_append_entry(
  p_account uuid, p_transfer uuid, p_kind text, p_amount bigint, p_balance_delta bigint,
  p_pending_debit_delta bigint, p_pending_credit_delta bigint, p_counterparty uuid,
  p_status text, p_description text, p_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  next_seq bigint;
  new_balance bigint;
  new_pending_debits bigint;
  new_pending_credits bigint;
  booked timestamptz;
BEGIN
  UPDATE accounts
     SET balance = balance + p_balance_delta,
         pending_debits = pending_debits + p_pending_debit_delta,
         pending_credits = pending_credits + p_pending_credit_delta,
         last_seq = last_seq + 1,
         last_booked_at = greatest(last_booked_at, p_at)
   WHERE id = p_account
  RETURNING last_seq, balance, pending_debits, pending_credits, last_booked_at
       INTO next_seq, new_balance, new_pending_debits, new_pending_credits, booked;
  INSERT INTO entries (account_id, seq, transfer_id, kind, amount, balance_after,
                       counterparty_account_id, status, description, created_at,
                       pending_debits_after, pending_credits_after, booked_at)
  VALUES (p_account, next_seq, p_transfer, p_kind, p_amount, new_balance,
          p_counterparty, p_status, p_description, p_at,
          new_pending_debits, new_pending_credits, booked);
END $$;

--changeset coffer:007-backfill-entry-state
-- Entries written before the function above: their state is recomputed from the journal itself.
-- A pending entry reserves its amount (debit side: pending debits; credit side: pending credits);
-- the entry that settles it (posted, voided or expired: the same transfer's later entry on the
-- account) releases it. Running sums over seq give the state after each entry, a running maximum
-- of created_at its booking time. Runs once, after the new function is in place, on the rows it
-- did not write (booked_at IS NULL); one UPDATE of the whole journal, so on a large journal run
-- it in a quiet hour (it takes row locks on entries, which nothing else updates).
WITH deltas AS (
  SELECT account_id, seq, created_at,
         CASE WHEN status = 'pending' AND amount < 0 THEN -amount
              WHEN status <> 'pending' AND amount < 0 AND reserved THEN amount
              ELSE 0 END AS d_debits,
         CASE WHEN status = 'pending' AND amount > 0 THEN amount
              WHEN status <> 'pending' AND amount > 0 AND reserved THEN -amount
              ELSE 0 END AS d_credits
    FROM (SELECT e.*, bool_or(status = 'pending')
                        OVER (PARTITION BY account_id, transfer_id) AS reserved
            FROM entries e) x
), state AS (
  SELECT account_id, seq, created_at,
         sum(d_debits) OVER w AS pd, sum(d_credits) OVER w AS pc, max(created_at) OVER w AS booked
    FROM deltas
  WINDOW w AS (PARTITION BY account_id ORDER BY seq)
)
UPDATE entries e
   SET pending_debits_after = s.pd, pending_credits_after = s.pc, booked_at = s.booked
  FROM state s
 WHERE e.account_id = s.account_id AND e.seq = s.seq AND e.created_at = s.created_at
   AND e.booked_at IS NULL;
UPDATE accounts a SET last_booked_at = greatest(a.last_booked_at,
       (SELECT max(created_at) FROM entries e WHERE e.account_id = a.id))
 WHERE a.last_seq > 0;

--changeset coffer:007-entries-as-of
-- The as-of lookup: per partition, one descending probe. A plain CREATE INDEX (a partitioned
-- table cannot be indexed concurrently): writes to entries wait while it builds.
CREATE INDEX entries_as_of ON entries (account_id, booked_at DESC, seq DESC)
  INCLUDE (balance_after, pending_debits_after, pending_credits_after);
