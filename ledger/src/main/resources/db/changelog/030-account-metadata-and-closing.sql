--liquibase formatted sql

-- Accounts that people run a business on (issue 30): metadata and names to find an account by,
-- and closing. metadata is string keys to string values, as a transfer's; closed_at is set while
-- the account is closed (NULL: open), and every move into or out of it is refused then
-- (coffer_book_check). Both nullable: adding them rewrites nothing.

--changeset coffer:030-account-columns
ALTER TABLE accounts ADD COLUMN metadata jsonb;
ALTER TABLE accounts ADD COLUMN closed_at timestamptz;

--changeset coffer:030-accounts-metadata runInTransaction:false
-- GET /v1/accounts?metadata[k]=v: metadata @> '{"k": "v"}' over all accounts, narrowed to the
-- caller's by owner_id; built concurrently: writes go on meanwhile.
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_metadata
  ON accounts USING gin (metadata jsonb_path_ops);

--changeset coffer:030-accounts-by-name runInTransaction:false
-- GET /v1/accounts?name=...: one owner's accounts of that name, in id order (the page's order).
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_owner_name ON accounts (owner_id, name, id);
