--liquibase formatted sql

-- Issue 28: every index on a table a transfer writes costs every transfer (an index entry and
-- its WAL record); these two answer no query that another index does not answer as well.
-- events_by_age served only the retention purge, which now bounds the time-ordered id instead
-- (events ids are UUIDv7, written by coffer_uuid_v7 since changeset 011). entries_history
-- (account, seq DESC, covering a few columns) duplicated entries_pkey (account, seq, created_at)
-- for every page and tail read: those read description and effective_at too, which it did not
-- cover, so they fetched each row from the table either way; the primary key walks the same
-- range (EXPLAIN in docs/ledger.md).
-- Measured with dev/bench/write-profile (docs/performance.md).

--changeset coffer:041-drop-events-by-age runInTransaction:false
DROP INDEX CONCURRENTLY IF EXISTS events_by_age;

--changeset coffer:041-drop-entries-history
-- A partitioned index cannot be dropped concurrently. The drop's lock on entries waits for the
-- transactions reading or writing it, and every later write would queue behind it: an export's
-- long cursor would stall transfers for its whole length. So it waits 5 s at most; then the
-- migration fails (and the upgrade with it, before any pod changes) and can be run again.
SET LOCAL lock_timeout = '5s';
DROP INDEX IF EXISTS entries_history;

--changeset coffer:041-accounts-fillfactor
-- Half of each page of accounts left free, so that a balance update finds room for the new row
-- version on its own page: a HOT update, which writes no index entry (the accounts' five indexes
-- were written by about a third of balance updates with full pages). Applies to pages written
-- from now on; an existing installation spreads its table with VACUUM FULL accounts (or
-- pg_repack) in a quiet hour, as docs/operations.md says.
ALTER TABLE accounts SET (fillfactor = 50);
