--liquibase formatted sql

-- Issue 27, finding 5: GET /v1/transfers?status=voided over a long history filtered out every
-- other transfer of each account (3,673 rows per loop over ~11k transfers, growing with history).
-- With a status filter each account's side is now read from these, in id order within the status,
-- so a page costs accounts x page size again. (A post or void now changes an indexed column, so
-- it updates these too: the price of the bound.) Built concurrently: writes go on meanwhile.

--changeset coffer:020-transfers-by-source-status runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_by_source_status
  ON transfers (from_account_id, status, id);

--changeset coffer:020-transfers-by-destination-status runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS transfers_by_destination_status
  ON transfers (to_account_id, status, id);
