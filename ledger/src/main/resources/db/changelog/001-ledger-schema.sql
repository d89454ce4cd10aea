--liquibase formatted sql

--changeset coffer:001-users
CREATE TABLE users (
  id            uuid PRIMARY KEY,
  email         text NOT NULL,
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

--changeset coffer:001-accounts
-- One row per account; the settlement account of each currency has no owner. The row lock on an
-- account serialises every write that touches it, and last_seq numbers its entries under that lock.
CREATE TABLE accounts (
  id              uuid PRIMARY KEY,
  owner_id        uuid REFERENCES users (id),
  kind            text NOT NULL DEFAULT 'user' CHECK (kind IN ('user', 'settlement')),
  name            text,
  currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  balance         bigint NOT NULL DEFAULT 0,
  pending_debits  bigint NOT NULL DEFAULT 0 CHECK (pending_debits >= 0),
  pending_credits bigint NOT NULL DEFAULT 0 CHECK (pending_credits >= 0),
  overdraft_limit bigint NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
  last_seq        bigint NOT NULL DEFAULT 0,
  -- The settlement account of a currency is split over shards, so that deposits and withdrawals
  -- of different users do not all queue on one row lock. Their sum is the settlement balance.
  settlement_shard smallint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT accounts_shard_by_kind CHECK ((kind = 'settlement') = (settlement_shard IS NOT NULL)),
  CONSTRAINT accounts_owner_by_kind CHECK ((kind = 'settlement') = (owner_id IS NULL)),
  -- The settlement account is the world outside: it may go as negative as deposits take it.
  CONSTRAINT accounts_within_overdraft
    CHECK (kind = 'settlement' OR balance - pending_debits + overdraft_limit >= 0)
);
CREATE INDEX accounts_owner_page ON accounts (owner_id, created_at, id);
CREATE UNIQUE INDEX accounts_settlement_shards ON accounts (currency, settlement_shard)
  WHERE kind = 'settlement';

--changeset coffer:001-transfers
CREATE TABLE transfers (
  id              uuid PRIMARY KEY,
  kind            text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'transfer')),
  from_account_id uuid NOT NULL REFERENCES accounts (id),
  to_account_id   uuid NOT NULL REFERENCES accounts (id),
  amount          bigint NOT NULL CHECK (amount BETWEEN 1 AND 1000000000000000),
  currency        char(3) NOT NULL,
  status          text NOT NULL CHECK (status IN ('pending', 'posted', 'voided', 'expired')),
  description     text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  posted_at       timestamptz,
  expires_at      timestamptz,
  CONSTRAINT transfers_distinct_accounts CHECK (from_account_id <> to_account_id),
  CONSTRAINT transfers_pending_expires CHECK (status <> 'pending' OR expires_at IS NOT NULL)
);
-- The expiry sweeper scans only what is still pending.
CREATE INDEX transfers_pending_by_expiry ON transfers (expires_at) WHERE status = 'pending';

--changeset coffer:001-entries
-- The journal: append-only, range-partitioned by month so old months can be detached.
CREATE TABLE entries (
  account_id              uuid NOT NULL,
  seq                     bigint NOT NULL,
  transfer_id             uuid NOT NULL,
  kind                    text NOT NULL,
  amount                  bigint NOT NULL,
  balance_after           bigint NOT NULL,
  counterparty_account_id uuid,
  status                  text NOT NULL,
  description             text,
  created_at              timestamptz NOT NULL,
  PRIMARY KEY (account_id, seq, created_at)
) PARTITION BY RANGE (created_at);
-- An account's history page (newest first, keyset on seq) is read from this index alone.
CREATE INDEX entries_history ON entries (account_id, seq DESC)
  INCLUDE (transfer_id, kind, amount, balance_after, counterparty_account_id, status, created_at);

--changeset coffer:001-idempotency
-- Written in the same transaction as the money it answers for.
CREATE TABLE idempotency_keys (
  user_id         uuid NOT NULL,
  key             text NOT NULL,
  fingerprint     text NOT NULL,
  response_status int NOT NULL,
  response_body   bytea NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
