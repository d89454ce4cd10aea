--liquibase formatted sql

-- Issue 29: effective time (back-dating), multi-leg transactions. Every new column is NULL for a
-- move that does not use it, so existing rows need no rewrite and a plain transfer writes nothing
-- more than before.

--changeset coffer:022-effective-time
-- When a move counts (effectiveAt), if the caller back-dated it; NULL: when it was booked. Never
-- later than the booking (created_at): the functions clamp it, and the check holds them to it.
ALTER TABLE transfers ADD COLUMN effective_at timestamptz;
ALTER TABLE transfers ADD CONSTRAINT transfers_effective_not_after_booking
  CHECK (effective_at IS NULL OR effective_at <= created_at);
ALTER TABLE entries ADD COLUMN effective_at timestamptz;
-- balance?at=…&basis=effective adds the back-dated entries booked after `at` but effective by
-- then: only back-dated entries are indexed, so the index costs other writes nothing.
CREATE INDEX entries_back_dated ON entries (account_id, effective_at, booked_at)
  INCLUDE (amount) WHERE effective_at IS NOT NULL;

--changeset coffer:022-transactions
-- A transaction books 2 to 100 legs under one id, all or none; each leg is a transfer of its own
-- (its entries, its events) that names its transaction.
CREATE TABLE transactions (
  id           uuid PRIMARY KEY,
  owner_id     uuid NOT NULL REFERENCES users (id),
  description  text,
  metadata     jsonb,
  legs         int NOT NULL CHECK (legs BETWEEN 2 AND 100),
  created_at   timestamptz NOT NULL,
  effective_at timestamptz,
  CONSTRAINT transactions_effective_not_after_booking
    CHECK (effective_at IS NULL OR effective_at <= created_at)
);
-- GET /v1/transactions: the caller's, newest first (keyset on the time-ordered id).
CREATE INDEX transactions_owner_page ON transactions (owner_id, id DESC);
ALTER TABLE transfers ADD COLUMN transaction_id uuid REFERENCES transactions (id);
CREATE INDEX transfers_by_transaction ON transfers (transaction_id) WHERE transaction_id IS NOT NULL;
