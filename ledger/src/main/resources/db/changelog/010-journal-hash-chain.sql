--liquibase formatted sql

--changeset coffer:010-journal-hash-chain splitStatements:false
-- A tamper-evident journal: every entry carries hash = SHA-256(previous entry's hash || its own
-- fields), chained per account in seq order. The encoding is defined in docs/ledger.md so that
-- anyone holding an export can recompute the chain. PostgreSQL's built-in sha256(bytea): no
-- extension needed.

-- The hash of one entry after p_prev (NULL before an account's first entry: 32 zero bytes).
-- Each field is its UTF-8 bytes after their length as 4 bytes big-endian; NULL is the length -1
-- (ff ff ff ff) and no bytes. Lengths make the concatenation unambiguous whatever a field holds.
-- The counterparty of a deposit or withdrawal is the settlement account, which the API never
-- shows: it is hashed as NULL, so that what an export shows is all a verifier needs.
-- created_at is hashed as whole microseconds since the Unix epoch, PostgreSQL's exact precision.
-- PL/pgSQL rather than nested SQL functions: those are not inlined here and cost ~80 us a call.
CREATE FUNCTION coffer_entry_hash(
  p_prev bytea, p_account uuid, p_seq bigint, p_transfer uuid, p_kind text, p_amount bigint,
  p_balance_after bigint, p_counterparty uuid, p_status text, p_description text,
  p_created_at timestamptz)
RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  buf bytea := coalesce(p_prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  field text;
  bytes bytea;
BEGIN
  FOREACH field IN ARRAY ARRAY[
      'coffer-entry-v1', p_account::text, p_seq::text, p_transfer::text, p_kind,
      p_amount::text, p_balance_after::text,
      CASE WHEN p_kind IN ('deposit', 'withdrawal') THEN NULL ELSE p_counterparty::text END,
      p_status, p_description,
      ((extract(epoch FROM p_created_at) * 1000000)::bigint)::text] LOOP
    IF field IS NULL THEN
      buf := buf || '\xffffffff'::bytea;
    ELSE
      bytes := convert_to(field, 'UTF8');
      buf := buf || int4send(length(bytes)) || bytes;
    END IF;
  END LOOP;
  RETURN sha256(buf);
END $$;

-- The previous hash is read from the account's previous entry (seq - 1). The append holds the
-- account's row lock (it numbers the entry under it), so that entry is committed, or this
-- transaction's own, and no other can come between. Keeping the head on the accounts row instead
-- was measured: a second UPDATE of the row per entry made a move about twice as slow (its dead
-- row versions pile up under a hot account); the look-up costs an index probe per partition.
ALTER TABLE entries ADD COLUMN hash bytea;

-- Entries written before this changeset are chained here, in seq order per account. The ALTER
-- above holds the table exclusively until this transaction commits, so no write interleaves.
DO $$
DECLARE
  r record;
  prev bytea;
  cur uuid;
BEGIN
  FOR r IN SELECT * FROM entries ORDER BY account_id, seq LOOP
    IF cur IS DISTINCT FROM r.account_id THEN
      prev := NULL;
      cur := r.account_id;
    END IF;
    prev := coffer_entry_hash(prev, r.account_id, r.seq, r.transfer_id, r.kind, r.amount,
                              r.balance_after, r.counterparty_account_id, r.status,
                              r.description, r.created_at);
    UPDATE entries SET hash = prev
     WHERE account_id = r.account_id AND seq = r.seq AND created_at = r.created_at;
  END LOOP;
END $$;
ALTER TABLE entries ALTER COLUMN hash SET NOT NULL;

-- Chains every new entry, whoever writes it (coffer_append_entry today, any later version).
CREATE FUNCTION coffer_chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.hash := coffer_entry_hash(
    (SELECT hash FROM entries WHERE account_id = NEW.account_id AND seq = NEW.seq - 1),
    NEW.account_id, NEW.seq, NEW.transfer_id, NEW.kind, NEW.amount, NEW.balance_after,
    NEW.counterparty_account_id, NEW.status, NEW.description, NEW.created_at);
  RETURN NEW;
END $$;
CREATE TRIGGER entries_chain BEFORE INSERT ON entries
  FOR EACH ROW EXECUTE FUNCTION coffer_chain_entry();

--changeset coffer:010-entries-by-time
-- The journal audit re-checks the entries of the last minutes: a BRIN index finds them for a few
-- pages of index (entries arrive in created_at order) and costs appends next to nothing.
CREATE INDEX IF NOT EXISTS entries_created_brin ON entries USING brin (created_at);
