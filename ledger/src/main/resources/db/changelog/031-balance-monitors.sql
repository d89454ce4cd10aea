--liquibase formatted sql

-- Balance monitors (issue 30): a condition on one of an account's figures (balance, available,
-- pending debits or credits) compared with a threshold. When a committed move makes it true (it was
-- false just before that move: edge-triggered), a balance.monitor.triggered event is written to the
-- outbox (events, webhook_deliveries) in the move's transaction, by coffer_monitor_crossings.
--
-- Write-path cost: accounts.monitored is true while the account has a monitor, and the trigger
-- below only fires WHEN it is: for every other account a move pays the evaluation of that WHEN
-- (no function call, no query). The trigger is a deferred constraint trigger, so that it runs at
-- commit, after the entry the update numbered is in the journal (the event names its transfer and
-- seq); its WHEN is evaluated at the update itself, and each queued event keeps that update's OLD
-- and NEW rows, so every crossing of every update is seen once. The account's row lock, held from
-- the move to its commit, orders the crossings of one account across instances.

--changeset coffer:031-balance-monitors
CREATE TABLE balance_monitors (
  id          uuid PRIMARY KEY,
  account_id  uuid NOT NULL REFERENCES accounts (id),
  owner_id    uuid NOT NULL REFERENCES users (id),
  field       text NOT NULL CHECK (field IN ('balance', 'available', 'pendingDebits', 'pendingCredits')),
  operator    text NOT NULL CHECK (operator IN ('<', '<=', '>', '>=')),
  threshold   bigint NOT NULL,
  description text,
  fired_count bigint NOT NULL DEFAULT 0,
  last_fired_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX balance_monitors_by_account ON balance_monitors (account_id, id);
-- A constant default: adding it rewrites nothing.
ALTER TABLE accounts ADD COLUMN monitored boolean NOT NULL DEFAULT false;

-- The trigger. Its function's body is db/functions/coffer_monitor_crossings.sql, which runs after
-- every numbered file: a stub is created here first so that the trigger can name it.

--changeset coffer:031-balance-monitor-trigger splitStatements:false
CREATE OR REPLACE FUNCTION coffer_monitor_crossings() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE CONSTRAINT TRIGGER accounts_monitor_crossings
  AFTER UPDATE OF last_seq ON accounts DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.monitored) EXECUTE FUNCTION coffer_monitor_crossings();
