--liquibase formatted sql

-- GET /v1/transfers: the caller's transfers, newest first (keyset on id, UUIDv7), filtered by
-- account, kind, status, time range and one metadata key/value. The page is gathered per owned
-- account from these two indexes (each account's newest matching ids, at most a page from each
-- side), so its cost grows with the caller's accounts and the page size, never with the table.
-- All built concurrently: writes go on meanwhile.

--changeset coffer:009-transfers-by-source runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_by_source ON transfers (from_account_id, id);

--changeset coffer:009-transfers-by-destination runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_by_destination ON transfers (to_account_id, id);

--changeset coffer:009-transfers-metadata runInTransaction:false
-- metadata @> '{"key": "value"}': the planner combines it with an account's index (BitmapAnd)
-- when a value is rare in a large account, instead of walking the account's transfers.
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_metadata
  ON transfers USING gin (metadata jsonb_path_ops);
