--liquibase formatted sql

--changeset coffer:function-coffer_chain_entry runOnChange:true splitStatements:false
-- Chains every new entry, whoever writes it (coffer_append_entry today, any later version).
CREATE OR REPLACE FUNCTION coffer_chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The predecessor is looked for in the partitions that can hold it, newest first, stopping at
  -- the first: without a bound on created_at (the partition key) every monthly partition's index
  -- was probed for every entry, the months ahead included, a cost that grew with the history.
  -- created_at is not monotonic per account (a move's time is taken before it waits for the
  -- account's lock), but booked_at is, and never before created_at: the predecessor's created_at
  -- is at most this entry's booked_at.
  NEW.hash := coffer_entry_hash(
    (SELECT hash FROM entries
      WHERE account_id = NEW.account_id AND seq = NEW.seq - 1
        AND created_at <= coalesce(NEW.booked_at, 'infinity')
      ORDER BY created_at DESC LIMIT 1),
    NEW.account_id, NEW.seq, NEW.transfer_id, NEW.kind, NEW.amount, NEW.balance_after,
    NEW.counterparty_account_id, NEW.status, NEW.description, NEW.created_at, NEW.effective_at);
  RETURN NEW;
END $$;
